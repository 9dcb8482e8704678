"""Writes h5py_all_dtypes.h5: every dtype of SPEC section 3 as written by h5py (run with Debian's /usr/bin/python3)."""
import sys
import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "h5py_all_dtypes.h5"
with h5py.File(out, "w") as f:
    for dt in ["uint8", "int8", "uint16", "int16", "uint32", "int32", "int64", "float16", "float32", "float64"]:
        a = np.arange(-12, 12).astype(dt).reshape(2, 3, 4)
        f.create_dataset(dt, data=a)
    f.create_dataset("bool", data=(np.arange(24).reshape(2, 3, 4) % 3 == 0))
    f.create_dataset("image", data=np.arange(12, dtype=np.uint8).reshape(3, 4))
    f.create_dataset("float16_special", data=np.array([0.5, -2.0, 65504.0, np.inf], dtype=np.float16))
