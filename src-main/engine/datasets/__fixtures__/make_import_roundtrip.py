"""Writes images with tifffile and Pillow, and expected.h5 holding what each must import as
(one dataset per file, channels first: C x H x W). Run: /usr/bin/python3 make_import_roundtrip.py OUT_DIR."""
import os
import sys

import h5py
import numpy as np
import tifffile
from PIL import Image

out = sys.argv[1]
rng = np.random.default_rng(7)
expected = {}


def rand(shape, dtype):
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    if info is None:
        return (rng.standard_normal(shape) * 1000).astype(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def tiff(name, data, want=None, **kw):
    tifffile.imwrite(os.path.join(out, name), data, **kw)
    expected[name] = data if want is None else want


for dt in ["uint8", "int8", "uint16", "int16", "uint32", "int32", "int64", "float16", "float32", "float64"]:
    tiff(f"{dt}.tif", rand((37, 53), dt))
floats = rng.random((40, 30)).astype(np.float32)  # 0..1 floats: the values uint8 conversion turned to 0
tiff("unit_floats.tif", floats)
tiff("big_endian_float32.tif", rand((21, 19), "float32"), byteorder=">")
tiff("big_endian_uint16_zlib_predictor.tif", rand((21, 19), "uint16"), byteorder=">", compression="zlib", predictor=True)
tiff("int16_tiled_zlib.tif", rand((70, 45), "int16"), tile=(32, 16), compression="zlib")
tiff("float64_bigtiff.tif", rand((12, 17), "float64"), bigtiff=True)
five = rand((5, 24, 31), "uint16")
tiff("five_channels_planar.tif", five, photometric="minisblack", planarconfig="separate")
tiff("five_channels_contig.tif", np.moveaxis(five, 0, -1), want=five, photometric="minisblack", planarconfig="contig", extrasamples=[0, 0, 0, 0])
rgb = rand((20, 26, 3), "uint8")
tiff("rgb.tif", rgb, want=np.moveaxis(rgb, -1, 0), photometric="rgb")
stack = rand((7, 16, 18), "uint16")
tifffile.imwrite(os.path.join(out, "stack_zlib.tif"), stack, compression="zlib", predictor=True)
for i in range(7):
    expected[f"stack_zlib.tif [{i + 1}]"] = stack[i]
bits = rng.random((13, 21)) > 0.5
tiff("bilevel.tif", bits, want=bits.astype(np.uint8))

# Pillow: 16-bit grey PNG, grey + alpha, RGBA, and TIFFs through libtiff (LZW included).
g16 = rand((25, 35), "uint16")
Image.fromarray(g16).save(os.path.join(out, "grey16.png"))
expected["grey16.png"] = g16
la = rand((2, 14, 22), "uint8")
Image.fromarray(np.moveaxis(la, 0, -1), "LA").save(os.path.join(out, "grey_alpha.png"))
expected["grey_alpha.png"] = la
rgba = rand((4, 18, 24), "uint8")
Image.fromarray(np.moveaxis(rgba, 0, -1), "RGBA").save(os.path.join(out, "rgba.png"))
expected["rgba.png"] = rgba
f = rand((29, 31), "float32")
Image.fromarray(f, "F").save(os.path.join(out, "pillow_float.tif"))
expected["pillow_float.tif"] = f
lzw = rand((40, 50, 3), "uint8")
Image.fromarray(lzw, "RGB").save(os.path.join(out, "pillow_rgb_lzw.tif"), compression="tiff_lzw")
expected["pillow_rgb_lzw.tif"] = np.moveaxis(lzw, -1, 0)
lzw16 = (np.arange(60 * 70).reshape(60, 70) % 4096).astype(np.uint16)  # long runs: the table resets
Image.fromarray(lzw16).save(os.path.join(out, "pillow_uint16_lzw.tif"), compression="tiff_lzw")
expected["pillow_uint16_lzw.tif"] = lzw16

runs = (rng.random((33, 40)) * 3).astype(np.uint8).repeat(2, axis=1)
Image.fromarray(runs).save(os.path.join(out, "pillow_packbits.tif"), compression="packbits")
expected["pillow_packbits.tif"] = runs

with h5py.File(os.path.join(out, "expected.h5"), "w") as h:
    for name, data in expected.items():
        h.create_dataset(name, data=np.ascontiguousarray(data))
