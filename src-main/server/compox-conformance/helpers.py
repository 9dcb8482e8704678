"""What the tests share: payloads, uploads, lookups and polling (our own versions of Compox's test utilities)."""
import io
import time
import uuid

import h5py
import numpy as np
import requests


def is_uuid1(text):
    """Is `text` a canonical version-1 UUID, as Compox's ids are?"""
    try:
        return str(uuid.UUID(text, version=1)) == text
    except (ValueError, TypeError, AttributeError):
        return False


def random_images(count, width, height, key="image"):
    """`count` HDF5 files, each one random uint8 image under `key`."""
    rng = np.random.default_rng()
    files = []
    for _ in range(count):
        bio = io.BytesIO()
        with h5py.File(bio, "w") as f:
            f[key] = rng.integers(0, 255, (width, height), dtype=np.uint8)
        files.append(bio.getvalue())
    return files


def post_each(url, items):
    """POSTs each item (bytes as the body, anything else as JSON); returns the responses."""
    return [requests.post(url, data=item) if isinstance(item, (bytes, str)) else requests.post(url, json=item) for item in items]


def upload(base, count=10, width=256, height=256):
    """Uploads random images; returns their file ids."""
    ids = []
    for r in post_each(f"{base}api/v0/files", random_images(count, width, height)):
        assert r.status_code == 200, r.text
        ids.append(r.json()["file_id"])
    return ids


def algorithm_id(base, name, major="1"):
    r = requests.get(f"{base}api/v0/algorithm/{name}/{major}")
    assert r.status_code == 200, r.text
    return r.json()["algorithm_id"]


def sample_body(inputs, targets, tags=None):
    """One sample pairing inputs[i] with targets[i]."""
    body = {"files": [{"input": [i], "target": [t]} for i, t in zip(inputs, targets)]}
    if tags:
        body["tags"] = tags
    return body


def execute(base, body):
    return requests.post(f"{base}api/v0/execute-algorithm", json=body)


def wait_until(read, done, timeout=60, every=0.2):
    """Polls read() until done(value); returns the last value (fails the test on timeout)."""
    deadline = time.time() + timeout
    value = read()
    while not done(value):
        assert time.time() < deadline, f"timed out; last: {value}"
        time.sleep(every)
        value = read()
    return value


def record(base, kind, record_id):
    return requests.get(f"{base}api/v0/{kind}/{record_id}").json()


def finished(rec):
    return rec["status"] in ("COMPLETED", "FAILED", "STOPPED")
