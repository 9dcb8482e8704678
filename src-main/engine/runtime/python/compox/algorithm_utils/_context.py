"""The connection between a runner and the engine, installed by runner_main before Runner()."""


class StopRequested(Exception):
    """Raised inside a runner once a stop was requested; the execution ends STOPPED."""


_context = None


def install(ctx):
    global _context
    _context = ctx


def current():
    if _context is None:
        raise RuntimeError("compox runners run inside Compox Desktop: deploy the algorithm and execute it")
    return _context
