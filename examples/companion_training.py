#!/usr/bin/env python3
"""A companion app training an algorithm through Compox Desktop's /api/v0, with the standard
library, NumPy and h5py only: upload images and label masks, create samples, train
`pixel_classifier/1`, follow the training's state, find its checkpoint, and segment a new image
with that checkpoint.

    python3 examples/companion_training.py --server http://127.0.0.1:5481
"""
import argparse
import io
import sys
import time

import h5py
import numpy as np

from companion_client import Client


def two_class_image(size, seed):
    """Textured bright disks (class 2) on a smooth background (class 1), as uint8, and the labels."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    inside = np.zeros((size, size), bool)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(6, 14)
        inside |= (x - cx) ** 2 + (y - cy) ** 2 < r * r
    texture = 0.5 + 0.15 * np.sin(x * 1.7) * np.cos(y * 1.3)
    background = 0.35 + 0.1 * x / size
    image = np.where(inside, texture, background) + rng.uniform(-0.04, 0.04, (size, size))
    return np.clip(image * 255, 0, 255).astype(np.uint8), np.where(inside, 2, 1).astype(np.uint8)


def hdf5_bytes(**arrays):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value)
    return buf.getvalue()


def wait(client, path, label):
    """Polls a training or execution record until it ends, printing state changes."""
    last = None
    while True:
        record = client.request("GET", path)
        seen = (record["status"], round(record["progress"], 2), str(record.get("state")))
        if seen != last:
            print(f"{label} {record['status']} {record['progress']:.2f} {record.get('state', '')}".rstrip())
            last = seen
        if record["status"] in ("COMPLETED", "FAILED", "STOPPED"):
            return record
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="http://127.0.0.1:5481")
    ap.add_argument("--token", default=None)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--trees", type=int, default=10)
    args = ap.parse_args()
    client = Client(args.server, args.token)

    algorithm = client.request("GET", "/api/v0/algorithm/pixel_classifier/1")
    uploaded = []

    def upload(**arrays):
        file_id = client.request("POST", "/api/v0/files", hdf5_bytes(**arrays))["file_id"]
        uploaded.append(file_id)
        return file_id

    pairs = []
    for seed in (1, 2):
        image, labels = two_class_image(args.size, seed)
        pairs.append({"input": [upload(image=image)], "target": [upload(mask=labels)]})
    sample_id = client.request("POST", "/api/v0/sample", {"files": pairs, "tags": ["companion-example"]})["sample_id"]
    print(f"sample {sample_id} with {len(pairs)} image/mask pairs")

    training_id = client.request("POST", "/api/v0/train-algorithm", {
        "algorithm_id": algorithm["algorithm_id"],
        "training_data": [sample_id],
        "additional_parameters": {"n_estimators": args.trees, "max_depth": 8},
        "tags": ["companion-example"],
    })["training_id"]
    training = wait(client, f"/api/v0/training/{training_id}", "training")
    if training["status"] != "COMPLETED":
        raise SystemExit(f"training {training['status']}:\n{training['log']}")
    checkpoints = client.request("GET", "/api/v0/checkpoint/all?positive_tags=companion-example")
    checkpoint = next(c for c in checkpoints if c["checkpoint_id"] in training["output_checkpoint_ids"])
    print(f"checkpoint {checkpoint['checkpoint_id']} {checkpoint['properties']}")

    image, truth = two_class_image(args.size, 3)
    execution_id = client.request("POST", "/api/v0/execute-algorithm", {
        "algorithm_id": algorithm["algorithm_id"],
        "input_dataset_ids": [upload(image=image)],
        "checkpoint_id": checkpoint["checkpoint_id"],
    })["execution_id"]
    execution = wait(client, f"/api/v0/executions/{execution_id}", "execution")
    if execution["status"] != "COMPLETED":
        raise SystemExit(f"execution {execution['status']}:\n{execution['log']}")
    (mask_id,) = execution["output_dataset_ids"]
    uploaded.append(mask_id)
    with h5py.File(io.BytesIO(client.request("GET", f"/api/v0/files/{mask_id}", raw=True)), "r") as f:
        mask = f["mask"][()]
    print(f"segmented a new image with the checkpoint: {np.mean(mask == truth):.3f} of pixels right")

    client.request("DELETE", f"/api/v0/sample/{sample_id}")
    client.request("DELETE", f"/api/v0/checkpoint/{checkpoint['checkpoint_id']}")
    for file_id in uploaded:
        client.request("DELETE", f"/api/v0/files/{file_id}")
    print("deleted the sample, the checkpoint and the files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
