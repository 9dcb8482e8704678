"""BaseRunner: what Compox algorithms extend, with Compox 3.2's methods and attribute rules.

Lifecycle, as in Compox: the runner is created with `__new__`, then `initialize(device)` runs
`__init__()`, then `_load_assets()` runs `load_assets()` once. Before every execution
`initialize()` runs again: attributes set outside `load_assets` live in `runner_context`, which is
reset each time, and names set in `load_assets` are locked.
"""
import inspect
import io
import time

from . import _context
from ._context import StopRequested
from ._task_handler import as_item

# Names that bypass the per-execution context (Compox's list plus our internal ones).
_DIRECT = {"_locked_attributes", "_locking_assets", "_device", "_initializing", "_runner_context", "_task_handler_given"}


def _number(value):
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_"


class BaseRunner:
    """Override `preprocess`, `inference` and `postprocess` (typed runners give defaults)."""

    algorithm_type = "Generic"

    def __init__(self, *_args, **_kwargs):
        # Compox Desktop 1.x runners called super().__init__(task_handler, device): accepted, unused.
        pass

    # --- attribute rules ---
    def __setattr__(self, name, value):
        d = object.__getattribute__(self, "__dict__")
        if name in _DIRECT:
            d[name] = value
            return
        if name == "device":
            d["_device"] = value
            return
        if name == "task_handler":
            d["_task_handler_given"] = value
            return
        if d.get("_locking_assets"):
            d.setdefault("_locked_attributes", set()).add(name)
            d[name] = value
            return
        if name in d.get("_locked_attributes", ()):
            if d.get("_initializing"):
                return  # __init__ re-runs before each execution: keep what load_assets loaded
            raise AttributeError(
                f"Attribute '{name}' is locked and cannot be modified. It was set in load_assets: assets are "
                "loaded once and shared by every execution; change it in place or use a local variable."
            )
        context = d.get("_runner_context")
        if context is None:
            d[name] = value  # before initialize (e.g. Runner() in an import check)
        else:
            context[name] = value

    def __getattribute__(self, name):
        if name.startswith("__") or name in _DIRECT:
            return object.__getattribute__(self, name)
        context = object.__getattribute__(self, "__dict__").get("_runner_context")
        if context and name in context:
            return context[name]
        return object.__getattribute__(self, name)

    def __delattr__(self, name):
        context = object.__getattribute__(self, "__dict__").get("_runner_context")
        if context is not None and name in context:
            del context[name]
        else:
            object.__delattr__(self, name)

    @property
    def runner_context(self):
        """This execution's attributes (reset by initialize)."""
        d = object.__getattribute__(self, "__dict__")
        return d.setdefault("_runner_context", {})

    @property
    def device(self):
        """The device the runner runs on: "cpu", "cuda" or "mps"."""
        d = object.__getattribute__(self, "__dict__")
        return d.get("_device") or _context.current().device

    @property
    def task_handler(self):
        """The current job's handler (logger, progress, status, …)."""
        return _context.handler()

    # --- lifecycle (called by Compox Desktop) ---
    def initialize(self, device=None):
        """Stores the device, resets the per-execution context and runs __init__()."""
        d = object.__getattribute__(self, "__dict__")
        if device:
            d["_device"] = device
        d["_runner_context"] = {}
        d["_initializing"] = True
        try:
            if _takes_arguments(type(self).__init__):
                self.__init__(None, self.device)  # Compox Desktop 1.x style: __init__(task_handler, device)
            else:
                self.__init__()
        finally:
            d["_initializing"] = False

    def _load_assets(self):
        d = object.__getattribute__(self, "__dict__")
        d["_locked_attributes"] = set()
        d["_locking_assets"] = True
        try:
            self.load_assets()
        finally:
            d["_locking_assets"] = False
        return sorted(d["_locked_attributes"])

    # --- what authors override ---
    def load_assets(self):
        """Loads models and files once (with fetch_asset) into attributes, which are then locked."""

    def preprocess(self, input_data, args=None):
        return input_data

    def inference(self, data, args=None):
        raise NotImplementedError("the Runner must implement inference(self, data, args)")

    def postprocess(self, data, args=None):
        if isinstance(data, (list, tuple)) and all(isinstance(x, str) for x in data):
            return list(data)
        raise TypeError("postprocess must return a list of output ids (BaseRunner's default passes on a list of ids from inference)")

    def train(self, training_data, args=None):
        self.log_message("The train method is not implemented for this algorithm.", "ERROR")
        raise NotImplementedError("this algorithm does not implement train()")

    def benchmark(self, args=None):
        """Measures the algorithm and returns a dict (stored as the benchmark record's `data`)."""
        self.log_message("Benchmarking is not implemented for this algorithm: override benchmark(self, args) in the Runner.", "ERROR")
        raise NotImplementedError("this algorithm does not implement benchmark(self, args)")

    # --- the pipeline ---
    def run(self, input_data, args=None):
        """preprocess → inference → postprocess, with Compox's log lines; marks the task completed."""
        handler = self.task_handler
        handler.logger.info("Starting execution.")
        start = time.time()
        args = args or {}
        try:
            out = self.postprocess_base(self.inference_base(self.preprocess_base(input_data, args), args), args)
            handler.logger.info(f"Execution completed in {round(time.time() - start, 2)} seconds.")
            handler.mark_as_completed(out)
            return None
        except StopRequested:
            raise
        except Exception as e:
            handler.mark_as_failed(e)
            raise

    def _stage(self, started, finished, work):
        """Runs one stage of the pipeline with Compox's log lines ("<finished> in X seconds")."""
        start = time.time()
        if started:
            self.task_handler.logger.info(started)
        out = work()
        self.task_handler.logger.info(f"{finished} in {round(time.time() - start, 2)} seconds")
        self.task_handler.update_log()
        return out

    def preprocess_base(self, input_data, args=None):
        self.task_handler.status = "RUNNING"
        return self._stage(None, "Data preprocessing finished", lambda: self.preprocess(input_data, args or {}))

    def inference_base(self, data, args=None):
        return self._stage("Running inference.", "Inference finished", lambda: self.inference(data, args or {}))

    def postprocess_base(self, data, args=None):
        return self._stage("Postprocessing output data.", "Postprocessing finished", lambda: self.postprocess(data, args or {}))

    def run_training(self, training_data, args=None):
        """Logs, sets RUNNING and calls train(); Compox Desktop ends the training."""
        handler = self.task_handler
        handler.logger.info("Starting training.")
        start = time.time()
        handler.status = "RUNNING"
        self.train(training_data, args or {})
        handler.logger.info(f"Training completed in {round(time.time() - start, 2)} seconds.")

    def run_benchmark(self, args=None):
        """Calls benchmark() and returns its dict."""
        handler = self.task_handler
        handler.logger.info("Starting benchmark.")
        start = time.time()
        handler.status = "RUNNING"
        result = self.benchmark(args or {})
        if result is None:
            result = {}
        if not isinstance(result, dict):
            raise TypeError(f"benchmark() must return a dict, got {type(result).__name__}")
        handler.logger.info(f"Benchmark completed in {round(time.time() - start, 2)} seconds.")
        return result

    # --- helpers ---
    def fetch_asset(self, asset_path):
        """The asset's bytes as io.BytesIO, e.g. fetch_asset("files/model.pt")."""
        return io.BytesIO(_context.current().fetch_asset(asset_path))

    def fetch_data(self, file_ids, pydantic_data_schema=None, *keys, parallel=False):
        """Reads datasets as dicts of NumPy arrays, validated by the schema; `keys` limits what is read."""
        if isinstance(pydantic_data_schema, str):  # fetch_data(ids, "image") without a schema
            keys = (pydantic_data_schema, *keys)
            pydantic_data_schema = None
        return self.task_handler.fetch_data(file_ids, pydantic_data_schema, *keys, parallel=parallel)

    def post_data(self, data, pydantic_data_schema=None, parallel=False):
        """Validates and writes items (dicts of arrays); returns their dataset ids."""
        return self.task_handler.post_data(data, pydantic_data_schema, parallel)

    def log_message(self, message, logging_level="INFO"):
        if logging_level not in ("INFO", "WARNING", "ERROR", "DEBUG"):
            raise ValueError("Invalid logging level provided.")
        _context.current().log(str(message), logging_level)
        self.check_stop()

    def set_progress(self, progress):
        # Compox takes only a Python float; ints and NumPy numbers are accepted here as well.
        if not _number(progress):
            raise ValueError("Progress must be a float.")
        if not 0 <= float(progress) <= 1:
            raise ValueError("Progress must be between 0 and 1.")
        _context.current().progress(float(progress))
        self.check_stop()

    def check_stop(self):
        """Raises the stop exception when a stop was requested (Compox raises it inside set_progress too)."""
        self.task_handler.check_stop()

    def save_item_to_session(self, obj, key):
        self.task_handler.save_item_to_session(obj, key)

    def load_item_from_session(self, key):
        return self.task_handler.load_item_from_session(key)

    def remove_item_from_session(self, key):
        self.task_handler.remove_item_from_session(key)

    # --- training ---
    def get_training_dataset(self, training_sample_ids):
        """The samples: each a TrainingSample (`sample["files"]` or `sample.sample_manifest.files`)."""
        samples = TrainingDataset(TrainingSample(s) for s in _context.current().training_dataset(training_sample_ids))
        self.log_message(f"Fetched training dataset with {len(samples)} samples.")
        return samples

    def set_state(self, state):
        """Replaces the training record's `state` (a JSON object); does nothing in an execution."""
        _context.current().set_state(state)

    def get_state(self):
        """The state last set by this training ({} before the first set_state)."""
        return _context.current().get_state()

    def save_training_files_to_temp_store(self, folder_path, files, pydantic_data_schema, parallel=True):
        """Validates in-memory items and saves each as a file in `folder_path` of the training's temp store; returns their paths."""
        return _context.current().temp_save(folder_path, _items(files, pydantic_data_schema, 'file {n} saved to "' + str(folder_path) + '"'))

    def download_files_to_temp_store(self, folder_path, file_ids, pydantic_data_schema, batch_size=8, *keys):
        """Copies datasets into `folder_path` of the temp store, validated, `batch_size` at a time (bounded memory); returns the paths in order."""
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"download_files_to_temp_store: batch_size must be a whole number >= 1, got {batch_size!r}")
        ctx = _context.current()
        file_ids = list(file_ids)
        paths = ctx.temp_save(folder_path, [])  # the folder exists even for no files
        for start in range(0, len(file_ids), batch_size):
            self.check_stop()
            batch = self.task_handler.fetch_data(file_ids[start : start + batch_size], pydantic_data_schema, *keys)
            paths.extend(ctx.temp_save(folder_path, [{k: v for k, v in item.items() if v is not None} for item in batch]))
        return paths

    def download_dataset_to_temp_store(self, dataset, pydantic_data_schemas):
        """Copies every file of the samples into the temp store as <sample_id>/<file_index>/<key>/; returns, per sample and file, the paths of each key."""
        local_samples = []
        for sample in dataset:
            sample = TrainingSample(sample)
            files = []
            for index, file in enumerate(sample.files):
                paths = {}
                for key, ids in file.items():
                    schema = pydantic_data_schemas.get(key)
                    if schema is None:
                        raise KeyError(f'download_dataset_to_temp_store: no schema for the sample key "{key}" (sample {sample.sample_id}); pass one for each of {", ".join(file)}')
                    paths[key] = self.download_files_to_temp_store(f"{sample.sample_id}/{index}/{key}", ids, schema)
                files.append(paths)
            local_samples.append(files)
        return local_samples

    def load_files_from_temp_store(self, paths, parallel=True, *keys):
        """Reads files of the temp store as dicts of NumPy arrays (`keys` keeps only those fields)."""
        return [_context.current().temp_load(p, list(keys) or None) for p in paths]

    def load_dataset_from_temp_store(self, local_samples):
        """What download_dataset_to_temp_store returned, with each path replaced by the file's contents."""
        return [[{key: self.load_files_from_temp_store(paths) for key, paths in file.items()} for file in sample] for sample in local_samples]

    def save_checkpoint(self, checkpoint, properties=None):
        """Saves {asset_path: bytes | io.BytesIO} replacing the assets of the same paths; returns its id."""
        return _context.current().save_checkpoint(checkpoint, properties)


class TrainingSample(dict):
    """A sample as a dict ({"sample_id", "files"}) that also reads the way Compox's TrainingSample does."""

    @property
    def sample_id(self):
        return self["sample_id"]

    @property
    def files(self):
        return self["files"]

    @property
    def sample_manifest(self):
        return self  # Compox code reads sample.sample_manifest.files


class TrainingDataset(list):
    """The samples of a training, in the order their ids were given."""


def _items(items, schema, where):
    """Items as validated dicts; `where` names an item in errors, with {n} its 1-based number."""
    return [as_item(item, schema, where.replace("{n}", str(n + 1))) for n, item in enumerate(items)]


def _takes_arguments(init):
    """Does this __init__ require positional arguments (the Compox Desktop 1.x style)?"""
    if init is BaseRunner.__init__:
        return False
    try:
        params = list(inspect.signature(init).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def create(cls, device):
    """A runner as Compox creates one: __new__, initialize(device), then load_assets; returns (runner, locked names)."""
    runner = cls.__new__(cls)
    runner.initialize(device)
    return runner, runner._load_assets()
