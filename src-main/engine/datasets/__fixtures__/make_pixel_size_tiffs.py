"""Writes small TIFFs that state their physical pixel size the ways microscopy software does
(run with Debian's /usr/bin/python3, tifffile): ImageJ's unit with the resolution tags, OME-XML,
and plain resolution tags in centimetres."""
import numpy as np
import tifffile

image = (np.arange(24 * 32, dtype=np.uint16) * 7).reshape(24, 32)
tifffile.imwrite("pixel_size_imagej.tif", image, imagej=True, resolution=(1 / 0.65, 1 / 0.5), metadata={"unit": "um"})
tifffile.imwrite("pixel_size_ome.ome.tif", np.stack([image, image + 1, image + 2]), ome=True, photometric="minisblack",
                 metadata={"axes": "CYX", "PhysicalSizeX": 120.0, "PhysicalSizeXUnit": "nm", "PhysicalSizeY": 120.0, "PhysicalSizeYUnit": "nm"})
tifffile.imwrite("pixel_size_cm.tif", image, resolution=(5000, 5000), resolutionunit="CENTIMETER")
