"""Dataset items as HDF5 files, laid out as Compox 3.2 writes them (one root-level dataset per key).

Strings are UTF-8 string datasets (a str a scalar, a list of str a 1-D array) and come back as
str / list[str]; None values are not written; anything else goes through numpy, so a list of
equally shaped masks becomes one stacked dataset. Compox Desktop's engine writes bool as uint8 and
float16 as float32, each marked with a `compox_dtype` attribute: reading restores the dtype.
"""
import h5py
import numpy as np


def _is_strings(value):
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def write_item(target, item):
    """Writes one item (a dict) to a path or a binary file object."""
    with h5py.File(target, "w") as f:
        for key, value in item.items():
            if value is None:
                continue
            if isinstance(value, str) or _is_strings(value):
                f.create_dataset(key, data=np.array(value, dtype=object), dtype=h5py.string_dtype())
            elif isinstance(value, np.ndarray) and value.dtype.kind in "US":
                f.create_dataset(key, data=value.astype(str).astype(object), dtype=h5py.string_dtype())
            else:
                f.create_dataset(key, data=np.asarray(value))


def read_item(source, keys=None):
    """Root-level datasets of a file (all, or `keys`: a key the file lacks comes back as None)."""
    out = {}
    with h5py.File(source, "r") as f:
        for key in keys or list(f.keys()):
            if key not in f or not isinstance(f[key], h5py.Dataset):
                out[key] = None
                continue
            ds = f[key]
            if h5py.check_string_dtype(ds.dtype) is not None:
                value = ds.asstr()[()]
                out[key] = value if isinstance(value, str) else [str(v) for v in value]
                continue
            value = ds[()]
            marked = ds.attrs.get("compox_dtype")
            if isinstance(marked, bytes):
                marked = marked.decode()
            if marked == "bool":
                value = np.asarray(value).astype(bool)
            elif marked == "float16":
                value = np.asarray(value).astype(np.float16)
            out[key] = value
    return out
