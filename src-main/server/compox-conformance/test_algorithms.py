"""Compox's test_get_algorithm.py and test_get_all_algorithms.py."""
import requests


def get(base, *parts):
    return requests.get(f"{base}api/v0/algorithm/" + "/".join(parts))


def test_get_algorithm(server_url):
    r = get(server_url, "foo", "1")
    assert r.status_code == 200
    for key in ("algorithm_id", "algorithm_name", "algorithm_version"):
        assert key in r.json()


def test_name_is_case_insensitive(server_url):
    r = get(server_url, "Foo", "1")
    assert r.status_code == 200
    assert "algorithm_id" in r.json()


def test_unknown_name_version_or_missing_parts_are_404(server_url):
    for parts in (("NoSuchAlgorithm", "1"), ("foo", "999"), ("1",), ("foo",), ("",)):
        r = get(server_url, *parts)
        assert r.status_code == 404, parts
        assert "detail" in r.json()


def test_repeated_gets_return_the_same_record(server_url):
    first = get(server_url, "foo", "1").json()
    for _ in range(9):
        assert get(server_url, "foo", "1").json() == first


def test_all_algorithms(server_url):
    r = requests.get(f"{server_url}api/v0/algorithm/all")
    assert r.status_code == 200
    assert len(r.json()) > 0
    for algorithm in r.json():
        for key in ("algorithm_id", "algorithm_name", "algorithm_version"):
            assert key in algorithm
    for _ in range(9):
        assert requests.get(f"{server_url}api/v0/algorithm/all").json() == r.json()
