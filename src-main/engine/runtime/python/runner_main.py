"""A Python runner process of Compox Desktop: loads one algorithm module and runs one job at a time.

It talks to the engine with JSON lines on file descriptors 3 (in) and 4 (out), never on
stdin/stdout, which the algorithm and C extensions write to: that output goes to the job's log.
Messages are those of src-main/engine/runtime/protocol.ts; arrays travel as HDF5 files (h5py).
"""
import base64
import importlib
import importlib.machinery
import importlib.util
import json
import os
import pathlib
import pickle
import sys
import threading
import time
import traceback

from compox.algorithm_utils import _context
from compox.algorithm_utils._hdf5_io import read_item as read_h5, write_item as write_h5
from compox.algorithm_utils.BaseRunner import create

inbox = os.fdopen(3, "rb")
outbox = os.fdopen(4, "wb")
send_lock = threading.Lock()
pending = {}
next_id = [1]
state = {"runner": None, "assets": {}, "job": None}
stops_before_start = set()  # a stop can overtake its job's start (jobs start on a thread)
MAX_LOG_MESSAGE = 256 * 1024  # characters; the engine refuses messages over 32 MB


def send(msg):
    data = (json.dumps(msg) + "\n").encode()
    with send_lock:
        outbox.write(data)
        outbox.flush()


def call(method, args):
    """Calls the engine and waits for its answer."""
    with send_lock:
        call_id = next_id[0]
        next_id[0] += 1
    event = threading.Event()
    pending[call_id] = {"event": event}
    send({"kind": "call", "id": call_id, "method": method, "args": args})
    event.wait()
    result = pending.pop(call_id)["result"]
    if not result["ok"]:
        raise RuntimeError(result["error"]["message"])
    return result.get("value")


def event(ev):
    job = state["job"]
    send({"kind": "event", "jobId": job["id"] if job else None, "event": ev})


class Context:
    def __init__(self, device):
        self.device = device

    def job_id(self):
        job = state["job"]
        return job["id"] if job else None

    def session_token(self):
        job = state["job"]
        return job.get("sessionToken") if job else None

    def assets(self):
        return state["assets"]

    def fetch_asset(self, path):
        norm = os.path.normpath(path.replace("\\", "/")).replace(os.sep, "/")
        if norm.startswith("../") or norm == ".." or os.path.isabs(norm):
            raise ValueError(f'fetch_asset("{path}"): asset paths are relative to the algorithm folder and may not leave it')
        file = state["assets"].get(norm)
        if file is None:
            raise FileNotFoundError(f'fetch_asset("{path}"): no such asset; the algorithm has {", ".join(state["assets"]) or "no assets"}')
        with open(file, "rb") as f:
            return f.read()

    def read_dataset(self, dataset_id, keys=None):
        return read_h5(call("datasetPath", {"id": dataset_id}), keys)

    def write_dataset(self, items):
        job = state["job"]
        job["outputs"] += 1
        path = os.path.join(job["outputDir"], f'{job["id"]}-{job["outputs"]}.h5')
        write_h5(path, items)
        return call("commitDataset", {"jobId": job["id"], "path": path})

    def temp_save(self, folder, items):
        """Writes items as numbered HDF5 files into a folder of the training's temp store."""
        store = training_temp()
        target = store.folder(folder)
        os.makedirs(target, exist_ok=True)
        n = store.next.get(target)
        if n is None:
            n = len([f for f in os.listdir(target) if f.endswith(".h5")])
        paths = []
        for item in items:
            path = pathlib.Path(target) / f"{n:06d}.h5"
            write_h5(path, item)
            paths.append(path)
            n += 1
        store.next[target] = n
        return paths

    def temp_load(self, path, keys=None):
        target = training_temp().folder(str(path))
        if not os.path.exists(target):
            raise FileNotFoundError(f"temp store file {path} does not exist; use the paths the save and download helpers returned")
        return read_h5(target, keys)

    def log(self, message, level):
        level = level if level in ("INFO", "WARNING", "ERROR", "DEBUG") else "INFO"
        if len(message) > MAX_LOG_MESSAGE:
            message = f"{message[:MAX_LOG_MESSAGE]}… ({len(message) - MAX_LOG_MESSAGE} more characters cut)"
        event({"type": "log", "level": level, "message": message, "time": int(time.time() * 1000)})

    def progress(self, value):
        # A tight loop must not flood the channel: rises only, at most one per 20 ms, always the end.
        value = min(1.0, max(0.0, value))
        job = state["job"]
        now = time.monotonic()
        if job is None or value <= job["progress"] or (value < 1 and now - job["progress_at"] < 0.02):
            return
        job["progress"], job["progress_at"] = value, now
        event({"type": "progress", "value": value})

    def stop_requested(self):
        job = state["job"]
        return bool(job and job["stop"])

    def session_save(self, key, value):
        call("sessionSave", {"jobId": state["job"]["id"], "key": key, "value": base64.b64encode(pickle.dumps(value)).decode()})

    def session_load(self, key):
        raw = call("sessionLoad", {"jobId": state["job"]["id"], "key": key})
        if raw is None:
            raise KeyError(f'no item "{key}" in this session; save it with save_item_to_session(obj, "{key}") first')
        return pickle.loads(base64.b64decode(raw))

    def training_dataset(self, sample_ids):
        return call("trainingDataset", {"jobId": state["job"]["id"], "sampleIds": list(sample_ids)})

    def set_state(self, value):
        if state["job"].get("temp") is None:
            return  # as in Compox: an execution has no state to set
        call("setState", {"jobId": state["job"]["id"], "state": value})
        state["job"]["state"] = value

    def get_state(self):
        return state["job"].get("state", {})

    def save_checkpoint(self, files, properties):
        job = state["job"]
        written = {}
        for asset_path, content in files.items():
            job["outputs"] += 1
            target = os.path.join(job["outputDir"], f'{job["id"]}-{job["outputs"]}-{os.path.basename(asset_path)}')
            data = content.getvalue() if hasattr(content, "getvalue") else bytes(content)
            with open(target, "wb") as f:
                f.write(data)
            written[asset_path] = target
        return call("saveCheckpoint", {"jobId": job["id"], "files": written, "properties": properties or {}})

    def session_remove(self, key):
        call("sessionRemove", {"jobId": state["job"]["id"], "key": key})


class TempStore:
    """The training's temp folder: paths inside it only, files numbered per folder in save order."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.next = {}

    def folder(self, folder):
        target = os.path.abspath(os.path.join(self.root, str(folder).replace("\\", "/")))
        if target != self.root and not target.startswith(self.root + os.sep):
            raise ValueError(f'temp store folder "{folder}" leaves the training\'s temp folder; use a relative path such as "derived/images"')
        return target


def training_temp():
    job = state["job"]
    if not job or job.get("temp") is None:
        raise RuntimeError("the temp store helpers are for trainings: call them from train()")
    return job["temp"]


ALGORITHM_PACKAGE = "compox_algorithm"


def import_runner(root):
    """Imports Runner from the module folder. Sources import their helpers absolutely (the folder
    is on sys.path); a module Compox exported is bytecode whose imports Compox made relative, so
    Runner is also given a package: the folder, as `compox_algorithm`."""
    if not os.path.exists(os.path.join(root, "Runner.py")) and os.path.exists(os.path.join(root, "Runner.pyc")):
        package_spec = importlib.machinery.ModuleSpec(ALGORITHM_PACKAGE, None, is_package=True)
        package_spec.submodule_search_locations = [root]
        sys.modules[ALGORITHM_PACKAGE] = importlib.util.module_from_spec(package_spec)
        return importlib.import_module(f"{ALGORITHM_PACKAGE}.Runner")
    return importlib.import_module("Runner")


def load(spec):
    sys.path.insert(0, spec["moduleRoot"])
    state["assets"] = spec["assets"]
    _context.install(Context(spec["device"]))
    module = import_runner(spec["moduleRoot"])
    runner_class = getattr(module, "Runner", None)
    if runner_class is None:
        raise AttributeError("Runner.py does not define class Runner")
    state["runner"], locked = create(runner_class, spec["device"])
    return {"locked": locked}


def run_job(spec, work):
    """Runs one job (an execution or a training) with its context installed."""
    if state["runner"] is None:
        raise RuntimeError("no runner loaded")
    temp = TempStore(spec["tempDir"]) if spec.get("tempDir") else None
    state["job"] = {"id": spec["jobId"], "stop": spec["jobId"] in stops_before_start, "outputs": 0, "outputDir": spec["outputDir"], "temp": temp, "progress": -1.0, "progress_at": 0.0, "sessionToken": spec.get("sessionToken")}
    stops_before_start.discard(spec["jobId"])
    try:
        handler = _context.new_job_handler()
        runner = state["runner"]
        runner.initialize()  # as Compox: __init__ re-runs and per-execution attributes reset
        return work(runner, handler)
    finally:
        state["job"] = None


def execute(spec):
    def work(runner, handler):
        returned = runner.run({"input_dataset_ids": spec["inputIds"]}, spec["args"])
        # Compox's run() returns None and hands the ids to mark_as_completed; a run() of our
        # own older style returns them.
        ids = returned if isinstance(returned, (list, tuple)) else (handler.output_dataset_ids or [])
        return {"outputIds": [str(i) for i in ids]}

    return run_job(spec, work)


def train(spec):
    def work(runner, handler):
        runner.run_training(spec["sampleIds"], spec["args"])
        return {}

    return run_job(spec, work)


def benchmark(spec):
    return run_job(spec, lambda runner, handler: {"data": runner.run_benchmark(spec["args"])})


def handle(msg):
    try:
        value = {"load": load, "execute": execute, "train": train, "benchmark": benchmark}[msg["method"]](msg["args"])
        send({"kind": "result", "id": msg["id"], "ok": True, "value": value})
    except BaseException as err:  # noqa: BLE001 - every failure goes back to the engine
        name = "StopError" if isinstance(err, _context.StopRequested) else type(err).__name__
        send({"kind": "result", "id": msg["id"], "ok": False, "error": {"name": name, "message": f"{type(err).__name__}: {err}", "stack": traceback.format_exc()}})


def main():
    for line in inbox:
        msg = json.loads(line)
        kind = msg["kind"]
        if kind == "result":
            entry = pending.get(msg["id"])
            if entry:
                entry["result"] = msg
                entry["event"].set()
        elif kind == "stop":
            job = state["job"]
            if job and job["id"] == msg["jobId"]:
                job["stop"] = True
            else:
                stops_before_start.add(msg["jobId"])
        elif kind == "call":
            threading.Thread(target=handle, args=(msg,), daemon=True).start()
    os._exit(0)  # the engine closed the pipe


if __name__ == "__main__":
    main()
