"""Run an algorithm folder locally, without a server, as Compox's `compox.algorithm_debug` does.

In Python:  from compox.algorithm_debug import debug; debug(algo_dir=".", data="slices/", params={"sigma": 2})
From a shell:  compox debug run --algo . --data slices/ --param sigma=2
(or python3 -m compox.algorithm_debug run … with Compox Desktop's python folder on PYTHONPATH)
"""
import argparse
import json
import os
import sys

import numpy as np

from compox.algorithm_utils.LocalDebugSession import LocalDebugSession


def build_params_dict(items):
    """["k=v", …] → {k: v} with each value read as JSON, else kept as text; None for no items."""
    if not items:
        return None
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--param '{item}' must be in the form key=value")
        try:
            params[key.strip()] = json.loads(value.strip())
        except json.JSONDecodeError:
            params[key.strip()] = value.strip()
    return params


def describe(item):
    """One line per key of an output item: shape and dtype, or the text."""
    parts = []
    for key, value in item.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{key}: {value.dtype} {list(value.shape)}")
        else:
            parts.append(f"{key}: {value!r}")
    return ", ".join(parts)


def debug(algo_dir=".", data=".", params=None, device="cpu", out_dir=None):
    """Loads `data` into an in-memory session, runs the Runner of `algo_dir` on it and prints the
    outputs; with `out_dir` (ours, not Compox's) each output is also written there as output_NNN.h5."""
    session = LocalDebugSession(device=device)
    input_ids = session.load_data(data)
    out = session.run(algo_dir, {"input_dataset_ids": input_ids}, args=params or {})
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    for n, item in enumerate(session.outputs()):
        print(f"output {n + 1} ({session.output_dataset_ids[n]}): {describe(item)}")
        if out_dir:
            with open(os.path.join(out_dir, f"output_{n + 1:03d}.h5"), "wb") as f:
                f.write(session.datasets[session.output_dataset_ids[n]])
    print(out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="compox debug", description="Commands for local debugging of algorithms")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Run an algorithm locally in debug mode (without a server)")
    run.add_argument("--algo", default=".", help="Path to algorithm folder")
    run.add_argument("--data", required=True, help="Path to a folder of slices, a TIFF/PNG/JPEG, .npy or .h5 file")
    run.add_argument("--device", default="cpu", help="Device to run on (cpu/cuda)")
    run.add_argument("--param", "-p", action="append", help="Algorithm parameter key=value; repeat for more")
    run.add_argument("--out", help="Folder to write each output to as output_NNN.h5")
    args = parser.parse_args(argv)
    try:
        params = build_params_dict(args.param)
    except ValueError as err:
        parser.error(str(err))
    debug(algo_dir=args.algo, data=args.data, params=params, device=args.device, out_dir=args.out)


if __name__ == "__main__":
    sys.exit(main())
