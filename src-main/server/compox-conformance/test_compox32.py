"""What Compox 3.2 clients see beyond its 2.1 tests: error bodies, benchmarks, storage metrics."""
import requests
from helpers import algorithm_id, wait_until


def test_error_bodies_carry_code_and_retryable(server_url):
    for r in (requests.get(f"{server_url}api/v0/executions/invalid"), requests.get(f"{server_url}api/v0/no/such/route")):
        body = r.json()
        assert r.status_code == 404
        assert isinstance(body["detail"], str) and isinstance(body["code"], str) and body["retryable"] is False


def test_benchmark(server_url):
    r = requests.post(f"{server_url}api/v0/benchmark-algorithm", json={"algorithm_id": algorithm_id(server_url, "foo"), "additional_parameters": {"n": 1}})
    assert r.status_code == 200, r.text
    rec = wait_until(lambda: requests.get(f"{server_url}api/v0/benchmarks/{r.json()['benchmark_id']}").json(), lambda x: x["status"] in ("COMPLETED", "FAILED"))
    assert set(rec) == {"benchmark_id", "algorithm_id", "additional_parameters", "status", "time_started", "time_completed", "log", "data"}
    # foo has no benchmark(): Compox fails such a benchmark, with data {} and a line saying why.
    assert rec["status"] == "FAILED" and rec["data"] == {}
    assert "Benchmarking is not implemented" in rec["log"]
    assert requests.get(f"{server_url}api/v0/benchmarks/invalid").status_code == 404


def test_storage_metrics_and_benchmark_outputs(server_url):
    got = requests.get(f"{server_url}api/v0/algorithm/foo/1").json()
    metrics = got["storage_metrics"]
    assert metrics["module_count"] == 1 and metrics["asset_count"] >= 1
    assert metrics["logical_size_bytes"] == metrics["module_bytes"] + metrics["asset_bytes"] + metrics["checkpoint_manifest_bytes"]
    assert got["benchmark_outputs"] == []


def test_multi_region_output_over_http(server_url):
    # An Image2MultiRegionSegmentation algorithm of our own Compox-style fixtures.
    import os

    from helpers import execute, finished, record, upload

    folder = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "runtime", "__fixtures__", "compox", "cx_multiregion")
    deployed = requests.post(f"{server_url}api/v0/deploy/local", params={"path": os.path.abspath(folder)}).json()
    r = execute(server_url, {"algorithm_id": deployed["algorithm_id"], "input_dataset_ids": upload(server_url, 1, 32, 32), "additional_parameters": {"low": 85, "high": 170}})
    rec = wait_until(lambda: record(server_url, "executions", r.json()["execution_id"]), finished)
    assert rec["status"] == "COMPLETED", rec["log"]
    (out,) = rec["output_dataset_ids"]
    keys = requests.get(f"{server_url}api/v0/files/{out}/info").json()["keys"]
    assert keys["region_names"] == {"shape": [3], "dtype": "str", "values": ["dark", "middle", "bright"]}
    assert keys["region_masks"]["shape"] == [3, 32, 32]
    png = requests.get(f"{server_url}api/v0/files/{out}/preview.png", params={"key": "region_masks", "slice": 2})
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    requests.delete(f"{server_url}api/v0/deploy/algorithm/{deployed['algorithm_id']}")
