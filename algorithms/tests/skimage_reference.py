"""Reference results from scikit-image for the bundled algorithms' tests and benchmarks.

    python3 skimage_reference.py <op> <in.h5> <out.h5> '<json args>'

Reads dataset `image` from in.h5 and writes what scikit-image computes to out.h5, plus
`seconds` (the time of the scikit-image call alone, for benchmarks). With `"warm_up": true` in the
args (the benchmarks), the call runs once untimed first, so the timed call pays neither the
imports nor first-call costs: the baseline is as fast as scikit-image honestly is.
"""
import json
import sys
import time

import h5py
import numpy as np


def tv(image, args):
    from skimage.restoration import denoise_tv_chambolle
    return denoise_tv_chambolle(image, weight=args["weight"], eps=args.get("eps", 2e-4), max_num_iter=args.get("max_num_iter", 200))


def thresholds(image, args):
    from skimage import filters
    out = {}
    for name in args["methods"]:
        if name == "local":
            out[name] = filters.threshold_local(image, block_size=args.get("block_size", 35), offset=args.get("offset", 0.0))
        else:
            try:
                out[name] = np.array([getattr(filters, "threshold_" + name)(image)], dtype=np.float64)
            except RuntimeError:  # e.g. "Unable to find two maxima": recorded as NaN
                out[name] = np.array([np.nan])
    return out


def registration(stack, args):
    from skimage.registration import phase_cross_correlation
    shifts = []
    for k in range(1, stack.shape[0]):
        shift, _, _ = phase_cross_correlation(stack[k - 1], stack[k], upsample_factor=args.get("upsample_factor", 10))
        shifts.append(shift)
    return np.array(shifts, dtype=np.float64)


def main():
    op, src, dst, raw = sys.argv[1:5]
    args = json.loads(raw)
    warm_up = args.pop("warm_up", False)
    with h5py.File(src, "r") as f:
        image = f["image"][()]
    fn = {"tv": tv, "thresholds": thresholds, "registration": registration}[op]
    if warm_up:
        fn(image, args)
    start = time.perf_counter()
    result = fn(image, args)
    seconds = time.perf_counter() - start
    with h5py.File(dst, "w") as f:
        if isinstance(result, dict):
            for k, v in result.items():
                f.create_dataset(k, data=v)
        else:
            f.create_dataset("out", data=result)
        f.create_dataset("seconds", data=np.array([seconds]))


if __name__ == "__main__":
    main()
