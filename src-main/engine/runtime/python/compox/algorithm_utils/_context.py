"""The connection between a runner and whoever runs it (the engine, or LocalDebugSession), and the
current job's TaskHandler; installed before the Runner class is constructed."""


class StopRequested(Exception):
    """Raised inside a runner once a stop was requested; the execution ends STOPPED."""


_context = None
_handler = None


def install(ctx):
    """Makes `ctx` the connection, with a fresh handler."""
    global _context
    _context = ctx
    from ._task_handler import TaskHandler

    set_handler(TaskHandler(ctx))


def current():
    if _context is None:
        raise RuntimeError("compox runners run inside Compox Desktop or compox.algorithm_debug: deploy the algorithm and execute it, or call compox.algorithm_debug.debug(...)")
    return _context


def set_handler(handler):
    global _handler
    _handler = handler


def handler():
    if _handler is None:
        current()
    return _handler


def new_job_handler():
    """A fresh handler for the job that starts now."""
    from ._task_handler import TaskHandler

    set_handler(TaskHandler(current()))
    return _handler
