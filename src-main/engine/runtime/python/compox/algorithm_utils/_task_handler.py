"""`self.task_handler` of a runner: the members of Compox's TaskHandler that algorithms touch,
over the connection to Compox Desktop's engine (or the in-memory one of LocalDebugSession)."""
import time

from ._context import StopRequested

STATUSES = ("RUNNING", "COMPLETED", "FAILED", "PENDING", "STARTED", "STOPPED")
LEVELS = ("INFO", "WARNING", "ERROR", "DEBUG")


def as_item(item, schema, where):
    """A dataset item (a dict, or a schema instance) validated against `schema` when given, its None fields dropped."""
    if hasattr(item, "model_dump"):
        item = item.model_dump()
    elif hasattr(item, "__dict__") and not isinstance(item, dict):
        item = dict(vars(item))
    if schema is not None:
        item = schema.validate(item, where)
    return {k: v for k, v in item.items() if v is not None}


class TaskStoppedException(StopRequested):
    """Compox's name for the exception a stop raises inside the runner."""


class Logger:
    """loguru's calls as runners make them (`logger.info("…")`, `logger.bind(x=1).warning(…)`)."""

    def __init__(self, handler):
        self._handler = handler

    def _log(self, level, message, *args, **kwargs):
        text = str(message)
        if args or kwargs:
            try:
                text = text.format(*args, **kwargs)
            except (IndexError, KeyError, ValueError):
                pass
        self._handler._ctx.log(text, level)

    def debug(self, message, *args, **kwargs):
        self._log("DEBUG", message, *args, **kwargs)

    def info(self, message, *args, **kwargs):
        self._log("INFO", message, *args, **kwargs)

    def success(self, message, *args, **kwargs):
        self._log("INFO", message, *args, **kwargs)

    def warning(self, message, *args, **kwargs):
        self._log("WARNING", message, *args, **kwargs)

    def error(self, message, *args, **kwargs):
        self._log("ERROR", message, *args, **kwargs)

    def critical(self, message, *args, **kwargs):
        self._log("ERROR", message, *args, **kwargs)

    def exception(self, message, *args, **kwargs):
        import traceback

        self._log("ERROR", f"{message}\n{traceback.format_exc()}", *args, **kwargs)

    def log(self, level, message, *args, **kwargs):
        self._log(str(level).upper() if str(level).upper() in LEVELS else "INFO", message, *args, **kwargs)

    def bind(self, **_extra):
        return self

    def opt(self, *_args, **_kwargs):
        return self


class TaskHandler:
    """One job's handler: what a runner reads and sets on `self.task_handler`."""

    def __init__(self, ctx, schema_check=None):
        self._ctx = ctx
        self.logger = Logger(self)
        self._progress = 0.0
        self._status = "STARTED"
        self.output_dataset_ids = None
        self.time_completed = None
        self.file_fetching_stats = {"count": 0.0, "time": 0.0}
        self.file_posting_stats = {"count": 0.0, "time": 0.0}

    # --- identity ---
    @property
    def task_id(self):
        return self._ctx.job_id()

    @property
    def session_token(self):
        return self._ctx.session_token()

    @property
    def algorithm_assets(self):
        """Asset path → stored asset (after a checkpoint's override)."""
        return dict(self._ctx.assets())

    # --- record fields ---
    @property
    def progress(self):
        return self._progress

    @progress.setter
    def progress(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(f"Progress must be between 0 and 1. Got: {value}")
        self._progress = float(value)
        self._ctx.progress(float(value))
        self.check_stop()

    @property
    def status(self):
        return self._status

    @status.setter
    def status(self, value):
        if value not in STATUSES:
            raise ValueError(f"Invalid status. Got: {value}")
        self._status = value
        self.check_stop()

    @property
    def state(self):
        return self._ctx.get_state()

    @state.setter
    def state(self, value):
        self._ctx.set_state(value)

    def check_stop(self):
        if self._ctx.stop_requested():
            raise TaskStoppedException("Execution was interrupted by stop request.")

    def update_log(self):
        """Compox rewrites the record's log here; Compox Desktop's log is live, so only a stop is checked."""
        self.check_stop()

    def mark_as_completed(self, output_dataset_ids=None):
        self.output_dataset_ids = list(output_dataset_ids or [])
        self.time_completed = time.time()
        self._progress = 1.0
        self._status = "COMPLETED"

    def mark_as_failed(self, e=None):
        self._status = "FAILED"

    def mark_as_stopped(self):
        self._status = "STOPPED"

    # --- data ---
    def fetch_data(self, file_ids, pydantic_data_schema=None, *keys, parallel=False):
        """Datasets as dicts; with a schema each is validated and its unread optional fields are filled in."""
        start = time.monotonic()
        out = []
        for i in file_ids:
            self.check_stop()
            item = self._ctx.read_dataset(i, list(keys) or None)
            if pydantic_data_schema is not None:
                item = pydantic_data_schema.validate(item, f"dataset {i}", keys or None)
            out.append(item)
        self.file_fetching_stats["count"] += float(len(out))
        self.file_fetching_stats["time"] += time.monotonic() - start
        return out

    def post_data(self, data, pydantic_data_schema=None, parallel=False):
        """Validates each item (dict or schema instance), drops None fields and writes it; returns the ids."""
        start = time.monotonic()
        ids = []
        for n, item in enumerate(data):
            ids.append(self._ctx.write_dataset(as_item(item, pydantic_data_schema, f"output {n + 1}")))
        self.file_posting_stats["count"] += float(len(ids))
        self.file_posting_stats["time"] += time.monotonic() - start
        return ids

    def fetch_asset(self, asset_path):
        import io

        return io.BytesIO(self._ctx.fetch_asset(asset_path))

    # --- sessions ---
    def save_item_to_session(self, obj, key):
        self._ctx.session_save(key, obj)

    def load_item_from_session(self, key):
        return self._ctx.session_load(key)

    def remove_item_from_session(self, key):
        self._ctx.session_remove(key)

    def set_as_current_handler(self):
        from . import _context

        _context.set_handler(self)

    set_as_current_task_handler = set_as_current_handler
