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

    def fetch_data(self, ids, schema=None, *keys):
        out = []
        for i in ids:
            item = self._ctx.read_dataset(i, list(keys) or None)
            if schema is not None and not keys:
                schema.validate(item, f"dataset {i}")
            out.append(item)
        return out

    def post_data(self, items, schema=None):
        ids = []
        for n, item in enumerate(items):
            if hasattr(item, "__dict__") and not isinstance(item, dict):
                item = {k: v for k, v in vars(item).items() if v is not None}
            if schema is not None:
                schema.validate(item, f"output {n + 1}")
            ids.append(self._ctx.write_dataset(item))
        return ids

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

    def get_training_dataset(self, sample_ids):
        """[{"sample_id": …, "files": [{"input": [ids], "target": [ids]}]}]"""
        return self._ctx.training_dataset(sample_ids)

    def set_state(self, state):
        """Replaces the training record's `state` (a JSON object)."""
        self._ctx.set_state(state)

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
