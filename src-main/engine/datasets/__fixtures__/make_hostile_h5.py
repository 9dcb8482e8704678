"""Writes the hostile HDF5 files of hardening round 3 (run with Debian's /usr/bin/python3 in this folder).

Each is a valid HDF5 file that points outside itself or declares more than it holds:
- external_storage.h5: "image" (8x8 uint8) whose raw data is the first 64 bytes of /etc/passwd;
- external_link.h5: "image" an external link to /tmp/compox-elsewhere.h5:/image, and a group
  "nested" holding another external link;
- virtual.h5: "image" a virtual dataset mapped onto /tmp/compox-vds-source.h5:/data;
- huge_gzip.h5: "image" a 30000x30000 uint8 gzip dataset of which no chunk was ever written
  (a few KB on disk, 900 megapixels declared);
- odd_keys.h5: a 2-D string dataset "image" and a key with a newline and quotes.
"""
import h5py
import numpy as np

with h5py.File("external_storage.h5", "w") as f:
    f.create_dataset("image", shape=(8, 8), dtype="uint8", external=[("/etc/passwd", 0, 64)])

with h5py.File("external_link.h5", "w") as f:
    f.create_dataset("safe", data=np.arange(4, dtype=np.uint8).reshape(2, 2))
    f["image"] = h5py.ExternalLink("/tmp/compox-elsewhere.h5", "/image")
    f.create_group("nested")["deep"] = h5py.ExternalLink("/tmp/compox-elsewhere.h5", "/image")

layout = h5py.VirtualLayout(shape=(8, 8), dtype="uint8")
layout[:] = h5py.VirtualSource("/tmp/compox-vds-source.h5", "data", shape=(8, 8))
with h5py.File("virtual.h5", "w", libver="latest") as f:
    f.create_virtual_dataset("image", layout, fillvalue=0)

with h5py.File("huge_gzip.h5", "w") as f:
    f.create_dataset("image", shape=(30000, 30000), dtype="uint8", chunks=(1000, 1000), compression="gzip")

# Keys and types the routes must answer with a 4xx (or serve), never a 500: a 2-D string dataset
# named like an image, and a key holding a newline and quotes.
with h5py.File("odd_keys.h5", "w") as f:
    f.create_dataset("image", data=np.array([["a", "b"], ["c", "d"]], dtype=object), dtype=h5py.string_dtype())
    f.create_dataset('bad\nkey "quoted"', data=np.arange(16, dtype=np.uint8).reshape(4, 4))
