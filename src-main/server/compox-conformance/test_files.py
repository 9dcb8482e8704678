"""Compox's test_post_file.py, test_get_file.py, test_delete_file.py and test_file_controller_v1.py."""
import requests
from helpers import is_uuid1, post_each, random_images, upload


def files(base):
    return f"{base}api/v0/files"


def test_post_file(server_url):
    (r,) = post_each(files(server_url), random_images(1, 256, 256))
    assert r.status_code == 200
    assert is_uuid1(r.json()["file_id"])
    requests.delete(f"{files(server_url)}/{r.json()['file_id']}")


def test_post_invalid_payload_is_422(server_url):
    (r,) = post_each(files(server_url), ["invalid"])
    assert r.status_code == 422
    assert "detail" in r.json()


def test_post_big_payload(server_url):
    # Compox posts one 16000×16000 image (256 MB); 8192×8192 (64 MB) keeps CI quick and still
    # crosses every buffer size of the upload path.
    (r,) = post_each(files(server_url), random_images(1, 8192, 8192))
    assert r.status_code == 200
    assert is_uuid1(r.json()["file_id"])
    requests.delete(f"{files(server_url)}/{r.json()['file_id']}")


def test_post_different_payloads_get_different_ids(server_url):
    ids = upload(server_url, 50, 1024, 1024)
    assert len(set(ids)) == 50 and all(is_uuid1(i) for i in ids)
    for i in ids:
        assert requests.delete(f"{files(server_url)}/{i}").status_code == 200


def test_get_file(server_url):
    for i in upload(server_url, 10):
        assert requests.get(f"{files(server_url)}/{i}").status_code == 200


def test_get_and_delete_unknown_file_is_404(server_url):
    for method in (requests.get, requests.delete):
        r = method(f"{files(server_url)}/invalid")
        assert r.status_code == 404
        assert "detail" in r.json()


def test_delete_twice(server_url):
    (i,) = upload(server_url, 1)
    assert requests.delete(f"{files(server_url)}/{i}").status_code == 200
    r = requests.delete(f"{files(server_url)}/{i}")
    assert r.status_code == 404
    assert "detail" in r.json()


def test_v1_upload_url_for_any_name(server_url):
    r = requests.get(f"{server_url}api/v1/files/new_file_name/upload-url")
    assert r.status_code == 200
    assert r.json()["url"] is not None


def test_v1_download_and_delete(server_url):
    (name,) = upload(server_url, 1)
    r = requests.get(f"{server_url}api/v1/files/{name}/download-url")
    assert r.status_code == 200 and r.json()["url"] is not None
    assert requests.delete(f"{server_url}api/v1/files/{name}").status_code == 200


def test_v1_unknown_name_is_404(server_url):
    assert requests.get(f"{server_url}api/v1/files/invalid_file_name/download-url").status_code == 404
    assert requests.delete(f"{server_url}api/v1/files/invalid_file_name").status_code == 404


def test_v1_presigned_round_trip_with_a_plain_name(server_url):
    # Beyond Compox's tests: what its v1 flow does with a name that is not a UUID.
    (data,) = random_images(1, 32, 32)
    put = requests.put(requests.get(f"{server_url}api/v1/files/slice_001/upload-url").json()["url"], data=data)
    assert put.status_code == 200
    got = requests.get(requests.get(f"{server_url}api/v1/files/slice_001/download-url").json()["url"])
    assert got.content == data
    assert requests.delete(f"{server_url}api/v1/files/slice_001").json() == {"detail": "File deleted successfully"}
