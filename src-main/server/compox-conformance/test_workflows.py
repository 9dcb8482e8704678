"""Compox's docs/execution_client_workflow.md and docs/training_client_workflow.md, step by step."""
import io
import zipfile

import h5py
import requests
from helpers import algorithm_id, finished, random_images, record, upload, wait_until


def test_execution_workflow(server_url):
    # 1) upload HDF5 files
    ids = []
    for data in random_images(2, 64, 64):
        r = requests.post(f"{server_url}api/v0/files", data=data, headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 200
        ids.append(r.json()["file_id"])
    # 2) execute, with every field of IncomingExecutionRequest as the doc's example sends them
    body = {
        "algorithm_id": algorithm_id(server_url, "foo"),
        "input_dataset_ids": ids,
        "checkpoint_id": None,
        "algorithm_minor_version": None,
        "execution_device_override": "cuda:0",  # the doc's example; unsupported here, so cpu with a warning
        "additional_parameters": {"threshold": 0.5, "tile_size": 512},
        "session_token": None,
    }
    r = requests.post(f"{server_url}api/v0/execute-algorithm", json=body)
    assert r.status_code == 200, r.text
    # 4) poll the record
    rec = wait_until(lambda: record(server_url, "executions", r.json()["execution_id"]), finished)
    assert rec["status"] == "COMPLETED", rec["log"]
    assert rec["progress"] == 1.0 and rec["time_completed"] and len(rec["output_dataset_ids"]) == 2
    assert "WARNING" in rec["log"] and "cuda:0" in rec["log"]
    # 3) the generated session token is in the record and can be passed on
    token = rec["session_token"]
    assert token
    again = requests.post(f"{server_url}api/v0/execute-algorithm", json={**body, "session_token": token, "execution_device_override": None}).json()
    assert wait_until(lambda: record(server_url, "executions", again["execution_id"]), finished)["session_token"] == token
    # 6) download each output as HDF5
    for out in rec["output_dataset_ids"]:
        got = requests.get(f"{server_url}api/v0/files/{out}")
        assert got.status_code == 200
        with h5py.File(io.BytesIO(got.content), "r") as f:
            assert f["image"].shape == (64, 64)
    # 7) delete
    for i in ids + rec["output_dataset_ids"]:
        assert requests.delete(f"{server_url}api/v0/files/{i}").status_code == 200


def test_training_workflow(server_url):
    # 1) upload, 2) a sample with tags
    inputs, targets = upload(server_url, 2, 32, 32), upload(server_url, 2, 32, 32)
    s = requests.post(f"{server_url}api/v0/sample", json={"files": [{"input": inputs, "target": targets[:1]}], "tags": ["modality:ct", "author:me"]})
    assert s.status_code == 200, s.text
    sample_id = s.json()["sample_id"]
    assert requests.get(f"{server_url}api/v0/sample/{sample_id}").json()["sample_id"] == sample_id
    listed = requests.get(f"{server_url}api/v0/sample/all", params={"positive_tags": "modality:ct", "negative_tags": "author:you"}).json()
    assert sample_id in [x["sample_id"] for x in listed]
    # 3) train with tags and free-form parameters
    algorithm = algorithm_id(server_url, "test_training_algorithm")
    body = {"algorithm_id": algorithm, "training_data": [sample_id], "checkpoint_id": None, "algorithm_minor_version": None, "tags": ["experiment:42", "author:me"], "additional_parameters": {"epochs": 1}}
    t = requests.post(f"{server_url}api/v0/train-algorithm", json=body)
    assert t.status_code == 200, t.text
    # 4) poll
    rec = wait_until(lambda: record(server_url, "training", t.json()["training_id"]), finished)
    assert rec["status"] == "COMPLETED", rec["log"]
    assert rec["tags"] == ["experiment:42", "author:me"] and "mean" in rec["state"]
    (checkpoint_id,) = rec["output_checkpoint_ids"]
    # 6) checkpoint metadata, tags inherited from the training, filters
    c = requests.get(f"{server_url}api/v0/checkpoint/{checkpoint_id}").json()
    assert c["training_id"] == rec["training_id"] and c["parent_algorithm_id"] == algorithm
    assert c["tags"] == ["experiment:42", "author:me"] and c["parent_checkpoint_id"] is None
    found = requests.get(f"{server_url}api/v0/checkpoint/all", params={"positive_tags": ["experiment:42", "author:me"]}).json()
    assert checkpoint_id in [x["checkpoint_id"] for x in found]
    excluded = requests.get(f"{server_url}api/v0/checkpoint/all", params={"negative_tags": "experiment:42"})
    assert excluded.status_code in (200, 404)  # Compox answers 404 when nothing is left
    if excluded.status_code == 200:
        assert checkpoint_id not in [x["checkpoint_id"] for x in excluded.json()]
    # 7) export with the checkpoint: a deployable package whose asset is the trained one
    z = requests.get(f"{server_url}api/v0/algorithm/test_training_algorithm/1/export", params={"checkpoint_id": checkpoint_id})
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert any(n.endswith("Runner.py") for n in names) and any(n.endswith("pyproject.toml") for n in names)
    model = next(n for n in names if n.endswith("files/model.json"))
    assert zipfile.ZipFile(io.BytesIO(z.content)).read(model) != b'{"mean": 0}\n'
