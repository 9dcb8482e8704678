"""Compox's test_deployment_endpoints.py and test_algorithm_export_endpoint.py."""
import io
import shutil
import uuid
import zipfile

import requests
from helpers import wait_until


def algorithm_dir(tmp_path, name, version, runner="class Runner: pass", exportable=True):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\n\n[tool.compox]\ncheck_importable = false\nobfuscate = false\n'
        'algorithm_type = "Generic"\ntags = ["test"]\ndescription = "test algorithm"\nsupported_devices = ["cpu"]\n'
        f'default_device = "cpu"\nadditional_parameters = []\ntraining_parameters = []\nremovable = true\nexportable = {"true" if exportable else "false"}\n'
    )
    (folder / "Runner.py").write_text(runner)
    return folder


def zipped(tmp_path, folder):
    """A zip holding the folder itself (Compox's tests zip with the folder as the top entry)."""
    return shutil.make_archive(str(tmp_path / f"{folder.name}_pkg"), "zip", root_dir=str(folder.parent), base_dir=folder.name)


def deploy(base, path, **params):
    return requests.post(f"{base}api/v0/deploy/local", params={"path": str(path), **params})


def remove(base, algorithm_id, **params):
    return requests.delete(f"{base}api/v0/deploy/algorithm/{algorithm_id}", params=params)


def test_deploy_folder(server_url, tmp_path):
    name = f"deploy_folder_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, algorithm_dir(tmp_path, name, "1.0"))
    assert r.status_code == 200, r.text
    assert r.json()["algorithm_name"] == name and r.json()["algorithm_major_version"] == "1" and r.json()["algorithm_id"]
    remove(server_url, r.json()["algorithm_id"])


def test_deploy_zip(server_url, tmp_path):
    name = f"deploy_zip_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, zipped(tmp_path, algorithm_dir(tmp_path, name, "2.0")))
    assert r.status_code == 200, r.text
    assert r.json()["algorithm_name"] == name and r.json()["algorithm_major_version"] == "2"
    remove(server_url, r.json()["algorithm_id"])


def test_deploy_missing_path_is_400(server_url):
    assert deploy(server_url, "C:/this/path/does/not/exist").status_code == 400


def test_deploy_async_and_status(server_url, tmp_path):
    name = f"deploy_async_{uuid.uuid4().hex[:8]}"
    r = requests.post(f"{server_url}api/v0/deploy/local-async", params={"path": zipped(tmp_path, algorithm_dir(tmp_path, name, "3.0"))})
    assert r.status_code == 200, r.text
    rec = wait_until(lambda: requests.get(f"{server_url}api/v0/deploy/{r.json()['deploy_id']}").json(), lambda x: x.get("status") in ("COMPLETED", "FAILED"), timeout=15)
    assert rec["status"] == "COMPLETED", rec
    assert rec["algorithm_id"]
    remove(server_url, rec["algorithm_id"])


def test_delete_removable(server_url, tmp_path):
    name = f"deploy_remove_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, algorithm_dir(tmp_path, name, "4.0"))
    assert remove(server_url, r.json()["algorithm_id"]).status_code == 200
    assert requests.get(f"{server_url}api/v0/algorithm/{name}/4").status_code == 404


def test_delete_one_minor_keeps_the_others(server_url, tmp_path):
    name = f"deploy_minor_{uuid.uuid4().hex[:8]}"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = deploy(server_url, algorithm_dir(tmp_path / "a", name, "1.0", "class Runner:\n    value = 1\n"))
    b = deploy(server_url, algorithm_dir(tmp_path / "b", name, "1.1", "class Runner:\n    value = 2\n"))
    assert a.status_code == 200 and b.status_code == 200, (a.text, b.text)
    assert remove(server_url, a.json()["algorithm_id"], algorithm_minor_version="0").status_code == 200
    got = requests.get(f"{server_url}api/v0/algorithm/{name}/1")
    assert got.status_code == 200
    assert "0" not in got.json()["algorithm_minor_versions"]
    remove(server_url, a.json()["algorithm_id"])


def test_delete_of_an_absent_minor_is_a_no_op(server_url, tmp_path):
    name = f"deploy_minor_absent_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, algorithm_dir(tmp_path, name, "1.0"))
    assert remove(server_url, r.json()["algorithm_id"], algorithm_minor_version="7").status_code == 200
    assert requests.get(f"{server_url}api/v0/algorithm/{name}/1").json()["algorithm_minor_versions"] == ["0"]
    remove(server_url, r.json()["algorithm_id"])


def test_delete_the_last_minor_removes_the_line(server_url, tmp_path):
    name = f"deploy_minor_last_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, algorithm_dir(tmp_path, name, "2.0"))
    assert remove(server_url, r.json()["algorithm_id"], algorithm_minor_version="0").status_code == 200
    assert requests.get(f"{server_url}api/v0/algorithm/{name}/2").status_code == 404


def test_delete_non_removable_is_400(server_url):
    dummy = requests.get(f"{server_url}api/v0/algorithm/dummy_algorithm/1").json()["algorithm_id"]
    assert remove(server_url, dummy).status_code == 400


def export(base, name, major, **params):
    return requests.get(f"{base}api/v0/algorithm/{name}/{major}/export", params=params)


def test_export_is_a_zip_with_the_runner(server_url):
    r = export(server_url, "dummy_algorithm", "1")
    assert r.status_code == 200 and r.headers.get("content-type") == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert any(n.endswith("Runner.py") for n in names), names


def test_export_minor_and_errors(server_url):
    assert export(server_url, "dummy_algorithm", "1", algorithm_minor_version=0).status_code == 200
    assert export(server_url, "dummy_algorithm", "1", algorithm_minor_version=999).status_code == 404
    assert export(server_url, "dummy_algorithm", "1", checkpoint_id="does-not-exist").status_code == 404
    assert export(server_url, "does_not_exist", "1").status_code == 404


def test_export_of_a_non_exportable_is_403(server_url, tmp_path):
    name = f"export_block_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, algorithm_dir(tmp_path, name, "1.0", exportable=False), exportable=False)
    assert r.status_code == 200, r.text
    assert export(server_url, name, "1").status_code == 403
    remove(server_url, r.json()["algorithm_id"])


def test_deploy_overrides(server_url, tmp_path):
    # Compox 3.2's deploy/local query overrides, beyond its own tests.
    name = f"override_{uuid.uuid4().hex[:8]}"
    r = deploy(server_url, algorithm_dir(tmp_path, "folder_name", "1.0"), algorithm_name=name, algorithm_major_version="7", exportable="false")
    assert r.status_code == 200, r.text
    assert r.json()["algorithm_name"] == name and r.json()["algorithm_major_version"] == "7"
    assert requests.get(f"{server_url}api/v0/algorithm/{name}/7").json()["exportable"] is False
    assert export(server_url, name, "7").status_code == 403
    remove(server_url, r.json()["algorithm_id"])
