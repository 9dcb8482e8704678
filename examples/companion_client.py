#!/usr/bin/env python3
"""A companion app's whole flow against Compox Desktop's /api/v0, with the standard library,
NumPy and h5py only: upload slices as HDF5, execute an algorithm, follow its progress, download
the outputs and clean up. It works unchanged against a Compox server.

    python3 examples/companion_client.py --server http://127.0.0.1:5481 --algorithm tv_denoising/1
"""
import argparse
import io
import json
import sys
import time
import urllib.error
import urllib.request

import h5py
import numpy as np


class Client:
    def __init__(self, server, token=None):
        self.server = server.rstrip("/")
        self.token = token

    def request(self, method, path, body=None, raw=False):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=600) as res:
                payload = res.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise SystemExit(f"{method} {path} failed with {err.code}: {detail}")
        return payload if raw else json.loads(payload)


def slice_to_hdf5(image):
    """One 2-D slice as an HDF5 file holding the root-level dataset `image`."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_dataset("image", data=image)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="http://127.0.0.1:5481")
    ap.add_argument("--algorithm", default="tv_denoising/1", help="name/major")
    ap.add_argument("--slices", type=int, default=10)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--token", default=None)
    ap.add_argument("--param", action="append", default=[], help="name=value (JSON or text)")
    args = ap.parse_args()

    client = Client(args.server, args.token)
    info = client.request("GET", "/")
    print(f"server: {info['name']} {info['version']}")

    name, major = args.algorithm.split("/")
    algorithm = client.request("GET", f"/api/v0/algorithm/{name}/{major}")
    print(f"algorithm: {algorithm['algorithm_name']} {algorithm['algorithm_version']}.{algorithm['latest_algorithm_minor_version']}")

    rng = np.random.default_rng(0)
    slices = [rng.integers(0, 256, (args.size, args.size), dtype=np.uint8) for _ in range(args.slices)]
    input_ids = [client.request("POST", "/api/v0/files", slice_to_hdf5(s))["file_id"] for s in slices]
    print(f"uploaded {len(input_ids)} slices")

    params = {}
    for kv in args.param:
        key, value = kv.split("=", 1)
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    execution_id = client.request("POST", "/api/v0/execute-algorithm", {
        "algorithm_id": algorithm["algorithm_id"],
        "input_dataset_ids": input_ids,
        "additional_parameters": params,
    })["execution_id"]

    last, last_status = -1.0, None
    while True:
        record = client.request("GET", f"/api/v0/executions/{execution_id}")
        if record["progress"] < last:
            raise SystemExit(f"progress went backwards: {last} -> {record['progress']}")
        if (record["progress"], record["status"]) != (last, last_status):
            print(f"progress {record['progress']:.2f} {record['status']}")
        last, last_status = record["progress"], record["status"]
        if record["status"] in ("COMPLETED", "FAILED", "STOPPED"):
            break
        time.sleep(0.1)
    if record["status"] != "COMPLETED":
        raise SystemExit(f"execution {record['status']}:\n{record['log']}")

    outputs = record["output_dataset_ids"]
    for output_id in outputs:
        with h5py.File(io.BytesIO(client.request("GET", f"/api/v0/files/{output_id}", raw=True)), "r") as f:
            key = "image" if "image" in f else next(iter(f.keys()))
            array = f[key][()]
            print(f"output {output_id}: {key} {array.shape} {array.dtype}")
    print(f"downloaded {len(outputs)} outputs")

    for file_id in input_ids + outputs:
        client.request("DELETE", f"/api/v0/files/{file_id}")
    print("deleted inputs and outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
