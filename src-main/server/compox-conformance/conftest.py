"""Starts `compox serve` (or uses COMPOX_URL) and deploys the suite's algorithms, as Compox's
conftest does with its tests/algorithms folder."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
ALGORITHMS = os.path.join(HERE, "algorithms")


def _start_server():
    data_dir = tempfile.mkdtemp(prefix="compox-conformance-")
    env = {**os.environ, "COMPOX_DATA_DIR": data_dir}
    # The server's log goes to a file: a pipe nobody reads would fill and stall it.
    log = open(os.path.join(data_dir, "serve.log"), "w")
    proc = subprocess.Popen(
        ["node", os.path.join(ROOT, "bin", "compox.mjs"), "--json", "serve", "--port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
    )
    text = ""
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                with open(log.name) as f:
                    raise RuntimeError(f"compox serve exited with {proc.returncode}: {f.read()}")
            continue
        text += line
        try:
            return proc, json.loads(text)["url"], data_dir
        except ValueError:
            continue  # the JSON object spans several lines
    proc.kill()
    raise RuntimeError("compox serve did not print its URL within 60 s")


@pytest.fixture(scope="session")
def server_url():
    given = os.environ.get("COMPOX_URL") or None
    proc = data_dir = None
    if given:
        url = given
    else:
        proc, url, data_dir = _start_server()
    # Compox's conftest ends the URL with "/", so every test requests "//api/v0/...": keep that.
    url = url.rstrip("/") + "/"
    deployed = []
    for name in sorted(os.listdir(ALGORITHMS)):
        r = requests.post(f"{url}api/v0/deploy/local", params={"path": os.path.join(ALGORITHMS, name)})
        assert r.status_code == 200, f"deploying {name}: {r.status_code} {r.text}"
        deployed.append(r.json()["algorithm_id"])
    try:
        yield url
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            for algorithm_id in deployed:
                requests.delete(f"{url}api/v0/deploy/algorithm/{algorithm_id}")


sys.path.insert(0, HERE)
