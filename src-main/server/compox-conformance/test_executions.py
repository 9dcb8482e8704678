"""Compox's test_execute_algorithm.py, test_get_execution_record.py and test_stop_algorithm_execution.py."""
import requests
from helpers import algorithm_id, execute, finished, is_uuid1, record, upload, wait_until


def test_execute(server_url):
    r = execute(server_url, {"algorithm_id": algorithm_id(server_url, "foo"), "input_dataset_ids": upload(server_url)})
    assert r.status_code == 200
    assert is_uuid1(r.json()["execution_id"])


def test_execute_errors(server_url):
    foo = algorithm_id(server_url, "foo")
    ids = upload(server_url)
    for body, status in (
        ({"algorithm_id": "invalid", "input_dataset_ids": ids}, 404),
        ({"algorithm_id": foo, "input_dataset_ids": ["invalid", "invalid"]}, 404),
        ({"input_dataset_ids": ids}, 422),
        ({"algorithm_id": foo}, 422),
    ):
        r = execute(server_url, body)
        assert r.status_code == status, body
        assert "detail" in r.json()


def test_consecutive_executions(server_url):
    foo = algorithm_id(server_url, "foo")
    for _ in range(10):
        r = execute(server_url, {"algorithm_id": foo, "input_dataset_ids": upload(server_url)})
        assert r.status_code == 200 and is_uuid1(r.json()["execution_id"])


def test_execution_record_fields(server_url):
    r = execute(server_url, {"algorithm_id": algorithm_id(server_url, "foo"), "input_dataset_ids": upload(server_url)})
    rec = requests.get(f"{server_url}api/v0/executions/{r.json()['execution_id']}")
    assert rec.status_code == 200
    for key in ("execution_id", "algorithm_id", "input_dataset_ids", "output_dataset_ids", "status", "progress", "time_started", "time_completed", "log"):
        assert key in rec.json()


def test_unknown_execution_is_404(server_url):
    r = requests.get(f"{server_url}api/v0/executions/invalid")
    assert r.status_code == 404 and "detail" in r.json()


def test_single_task_progress_rises_and_outputs_are_uuids(server_url):
    r = execute(server_url, {"algorithm_id": algorithm_id(server_url, "dummy_algorithm"), "input_dataset_ids": upload(server_url)})
    seen = []

    def read():
        rec = record(server_url, "executions", r.json()["execution_id"])
        assert rec["status"] != "FAILED", rec["log"]
        seen.append(rec["progress"])
        return rec

    rec = wait_until(read, lambda x: x["status"] == "COMPLETED")
    assert all(0 <= p <= 1 for p in seen) and seen == sorted(seen)
    assert len(rec["output_dataset_ids"]) == 10 and all(is_uuid1(i) for i in rec["output_dataset_ids"])


def test_many_tasks(server_url):
    dummy = algorithm_id(server_url, "dummy_algorithm")
    ids = [execute(server_url, {"algorithm_id": dummy, "input_dataset_ids": upload(server_url)}).json()["execution_id"] for _ in range(10)]
    last = {}

    def read():
        recs = [record(server_url, "executions", i) for i in ids]
        for rec in recs:
            assert rec["status"] != "FAILED", rec["log"]
            before = last.get(rec["execution_id"])
            if before:
                assert before["progress"] <= rec["progress"]
                assert before["input_dataset_ids"] == rec["input_dataset_ids"] and before["algorithm_id"] == rec["algorithm_id"]
            last[rec["execution_id"]] = rec
        return recs

    recs = wait_until(read, lambda rs: all(x["status"] == "COMPLETED" for x in rs), timeout=120)
    assert all(is_uuid1(o) for rec in recs for o in rec["output_dataset_ids"])


def test_back_and_forth_foo_bar(server_url):
    ids = upload(server_url)
    runs = []
    for name, line in (("foo", "This is Foo!"), ("bar", "This is Bar!"), ("foo", "This is Foo!")):
        r = execute(server_url, {"algorithm_id": algorithm_id(server_url, name), "input_dataset_ids": ids})
        rec = wait_until(lambda: record(server_url, "executions", r.json()["execution_id"]), finished)
        assert rec["status"] == "COMPLETED", rec["log"]
        assert line in rec["log"]
        runs.append(rec["execution_id"])
    assert len(set(runs)) == 3


def stop(base, execution_id):
    return requests.post(f"{base}api/v0/executions/{execution_id}/stop")


def test_stop(server_url):
    r = execute(server_url, {"algorithm_id": algorithm_id(server_url, "foo"), "input_dataset_ids": upload(server_url)})
    execution_id = r.json()["execution_id"]
    s = stop(server_url, execution_id)
    assert s.status_code == 200
    assert s.json()["detail"] == "Stop request posted successfully"
    rec = wait_until(lambda: record(server_url, "executions", execution_id), finished)
    assert rec["status"] == "STOPPED"


def test_stop_unknown_is_404(server_url):
    r = stop(server_url, "invalid")
    assert r.status_code == 404 and "detail" in r.json()


def test_stop_after_the_end_is_400_and_says_the_state(server_url):
    r = execute(server_url, {"algorithm_id": algorithm_id(server_url, "foo"), "input_dataset_ids": upload(server_url)})
    execution_id = r.json()["execution_id"]
    rec = wait_until(lambda: record(server_url, "executions", execution_id), finished)
    s = stop(server_url, execution_id)
    assert s.status_code == 400
    assert s.json()["detail"] == f"Execution in state {rec['status']} cannot be stopped"


def test_second_stop_is_400(server_url):
    r = execute(server_url, {"algorithm_id": algorithm_id(server_url, "foo"), "input_dataset_ids": upload(server_url)})
    execution_id = r.json()["execution_id"]
    assert stop(server_url, execution_id).json()["detail"] == "Stop request posted successfully"
    rec = wait_until(lambda: record(server_url, "executions", execution_id), finished)
    s = stop(server_url, execution_id)
    assert s.status_code == 400
    assert s.json()["detail"] == f"Execution in state {rec['status']} cannot be stopped"
