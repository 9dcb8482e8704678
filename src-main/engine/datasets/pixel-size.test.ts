import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePixelSizeAttribute, pixelSizeAttribute, pixelSizeFromTiff } from "./pixel-size.js";

test("pixel sizes from OME-XML, from ImageJ's unit with the resolution tags, from centimetre resolutions; inch (print) resolutions ignored", () => {
  const ome = '<?xml version="1.0"?><OME xmlns="…"><Image ID="Image:0"><Pixels DimensionOrder="XYCZT" PhysicalSizeX="0.2" PhysicalSizeXUnit="nm" PhysicalSizeY="0.25" PhysicalSizeYUnit="nm" SizeC="3"/></Image></OME>';
  assert.deepEqual(pixelSizeFromTiff({ description: ome }), { x: 0.2, y: 0.25, unit: "nm" });
  assert.deepEqual(pixelSizeFromTiff({ description: '<OME><Image><Pixels PhysicalSizeX="0.65" PhysicalSizeY="0.65" SizeX="4"></Pixels></Image></OME>' }), { x: 0.65, y: 0.65, unit: "µm" }, "OME's default unit is µm");
  assert.deepEqual(pixelSizeFromTiff({ description: "ImageJ=1.11a\nimages=1\nunit=micron\n", xResolution: 2, yResolution: 4, resolutionUnit: 1 }), { x: 0.5, y: 0.25, unit: "µm" });
  assert.deepEqual(pixelSizeFromTiff({ description: "ImageJ=1.11a\nunit=\\u00B5m\n", xResolution: 10 }), { x: 0.1, y: 0.1, unit: "µm" }, "ImageJ's escaped µ");
  assert.deepEqual(pixelSizeFromTiff({ xResolution: 10000, yResolution: 5000, resolutionUnit: 3 }), { x: 1, y: 2, unit: "µm" }, "pixels per centimetre");
  assert.equal(pixelSizeFromTiff({ xResolution: 72, yResolution: 72, resolutionUnit: 2 }), undefined, "72 dpi says nothing about a specimen");
  assert.equal(pixelSizeFromTiff({ description: "ImageJ=1.11a\nunit=pixel\n", xResolution: 1 }), undefined, "ImageJ's uncalibrated 'pixel'");
  assert.equal(pixelSizeFromTiff({}), undefined);
});

test("the compox_pixel_size attribute round-trips, µm written as um (ASCII)", () => {
  assert.equal(pixelSizeAttribute({ x: 0.65, y: 0.7, unit: "µm" }), "0.65 0.7 um");
  assert.deepEqual(parsePixelSizeAttribute("0.65 0.7 um"), { x: 0.65, y: 0.7, unit: "µm" });
  assert.deepEqual(parsePixelSizeAttribute(pixelSizeAttribute({ x: 2e-4, y: 2e-4, unit: "nm" })), { x: 2e-4, y: 2e-4, unit: "nm" });
  assert.equal(parsePixelSizeAttribute("0 1 um"), undefined);
  assert.equal(parsePixelSizeAttribute(7), undefined);
});
