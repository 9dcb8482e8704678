"""BaseRunner: what Compox algorithms extend, with Compox's method names."""
import inspect
import io

from . import _context
from ._context import StopRequested


class BaseRunner:
    """Override `inference` (and `preprocess`/`postprocess` if needed)."""

    def __init__(self, task_handler=None, device=None):
        ctx = _context.current()
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_locked", set())
        object.__setattr__(self, "task_handler", task_handler)
        object.__setattr__(self, "device", device or ctx.device)

    def __setattr__(self, name, value):
        if name in self.__dict__.get("_locked", ()):
            raise AttributeError(f"'{name}' was set in load_assets and is locked: assets are loaded once and shared by every execution; change it in place or use a local variable")
        object.__setattr__(self, name, value)

    # --- what authors override ---
    def load_assets(self):
        pass

    def preprocess(self, input_data, args={}):
        return input_data

    def inference(self, data, args={}):
        raise NotImplementedError("the Runner must implement inference(self, data, args)")

    def postprocess(self, data, args={}):
        if isinstance(data, (list, tuple)) and all(isinstance(x, str) for x in data):
            return list(data)
        raise TypeError("postprocess must return a list of output ids")

    # --- helpers ---
    def fetch_asset(self, path):
        """The asset's bytes as io.BytesIO, e.g. fetch_asset("files/model.pt")."""
        return io.BytesIO(self._ctx.fetch_asset(path))

    def fetch_data(self, ids, schema=None, *keys, parallel=True):
        """Reads datasets as dicts of NumPy arrays; with a schema each is validated; `keys` limits what is read."""
        out = []
        for i in ids:
            item = self._ctx.read_dataset(i, list(keys) or None)
            if schema is not None:
                schema.validate(item, f"dataset {i}", keys or None)
            out.append(item)
        return out

    def post_data(self, items, schema=None):
        return [self._ctx.write_dataset(item) for item in _items(items, schema, "output {n}")]

    def log_message(self, message, logging_level="INFO"):
        self._ctx.log(str(message), logging_level)
        self.check_stop()

    def set_progress(self, progress):
        self._ctx.progress(float(progress))
        self.check_stop()

    def check_stop(self):
        if self._ctx.stop_requested():
            raise StopRequested("stopped on request")

    def save_item_to_session(self, obj, key):
        self._ctx.session_save(key, obj)

    def load_item_from_session(self, key):
        return self._ctx.session_load(key)

    def remove_item_from_session(self, key):
        self._ctx.session_remove(key)

    # --- training ---
    def train(self, training_sample_ids, args={}):
        raise NotImplementedError("this algorithm does not implement train()")

    def get_training_dataset(self, training_sample_ids):
        """The samples: each a TrainingSample (`sample["files"]` or `sample.sample_manifest.files`)."""
        return TrainingDataset(TrainingSample(s) for s in self._ctx.training_dataset(training_sample_ids))

    def set_state(self, state):
        """Replaces the training record's `state` (a JSON object)."""
        self._ctx.set_state(state)

    def get_state(self):
        """The state last set by this training ({} before the first set_state)."""
        return self._ctx.get_state()

    def save_training_files_to_temp_store(self, folder_path, files, pydantic_data_schema, parallel=True):
        """Validates in-memory items and saves each as a file in `folder_path` of the training's temp store; returns their paths."""
        return self._ctx.temp_save(folder_path, _items(files, pydantic_data_schema, 'file {n} saved to "' + str(folder_path) + '"'))

    def download_files_to_temp_store(self, folder_path, file_ids, pydantic_data_schema, batch_size=8, *keys):
        """Copies datasets into `folder_path` of the temp store, validated, `batch_size` at a time (bounded memory); returns the paths in order."""
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"download_files_to_temp_store: batch_size must be a whole number >= 1, got {batch_size!r}")
        file_ids = list(file_ids)
        paths = self._ctx.temp_save(folder_path, [])  # the folder exists even for no files
        for start in range(0, len(file_ids), batch_size):
            self.check_stop()
            batch = self.fetch_data(file_ids[start : start + batch_size], pydantic_data_schema, *keys)
            paths.extend(self._ctx.temp_save(folder_path, batch))
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
        return [self._ctx.temp_load(p, list(keys) or None) for p in paths]

    def load_dataset_from_temp_store(self, local_samples):
        """What download_dataset_to_temp_store returned, with each path replaced by the file's contents."""
        return [[{key: self.load_files_from_temp_store(paths) for key, paths in file.items()} for file in sample] for sample in local_samples]

    def save_checkpoint(self, files, properties=None):
        """Saves {asset_path: bytes | io.BytesIO} replacing the assets of the same paths; returns its id."""
        return self._ctx.save_checkpoint(files, properties)

    def run(self, input_data, args):
        """preprocess → inference → postprocess; called by Compox Desktop."""
        state = {}
        object.__setattr__(self, "_run_state", state)
        data = self.preprocess(input_data, args)
        self.check_stop()
        result = self.inference(data, args)
        self.check_stop()
        return [str(i) for i in self.postprocess(result, args)]


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
    """Items as dicts (schema instances become dicts), each validated against `schema` when given;
    `where` names an item in errors, with {n} its 1-based number."""
    out = []
    for n, item in enumerate(items):
        if hasattr(item, "__dict__") and not isinstance(item, dict):
            item = {k: v for k, v in vars(item).items() if v is not None}
        if schema is not None:
            schema.validate(item, where.replace("{n}", str(n + 1)))
        out.append(item)
    return out


def construct(cls, device):
    """Runner() or the older Runner(task_handler, device) style."""
    required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:] if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return cls(None, device) if required else cls()


def load_and_lock(runner):
    before = dict(runner.__dict__)
    runner.load_assets()
    locked = [k for k, v in runner.__dict__.items() if not k.startswith("_") and (k not in before or before[k] is not v)]
    runner.__dict__["_locked"].update(locked)
    return locked
