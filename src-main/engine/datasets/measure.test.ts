import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { needsSkimage } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { measureObjects, measurementsCsv } from "./measure.js";

test("objects are 8-connected per class; areas, centroids, bounding boxes and intensities; a CSV with a header", () => {
  // Class 1: two pixels touching at a corner (one object) and a separate pixel; class 2: a bar.
  const labels = [
    1, 0, 0, 2,
    0, 1, 0, 2,
    0, 0, 0, 2,
    1, 0, 0, 0,
  ];
  const intensity = labels.map((_, i) => i);
  const m = measureObjects(labels, 4, 4, intensity);
  assert.deepEqual(
    m.objects.map((o) => [o.class, o.object, o.area, o.centroid, o.bbox, o.mean_intensity, o.min_intensity, o.max_intensity]),
    [
      [1, 1, 2, [0.5, 0.5], [0, 0, 2, 2], 2.5, 0, 5],
      [2, 1, 3, [1, 3], [0, 3, 3, 4], 7, 3, 11],
      [1, 2, 1, [3, 0], [3, 0, 4, 1], 12, 12, 12],
    ],
  );
  assert.deepEqual(m.classes, [
    { class: 1, count: 2, area: 3, fraction: 3 / 16 },
    { class: 2, count: 1, area: 3, fraction: 3 / 16 },
  ]);
  const csv = measurementsCsv(measureObjects(labels, 4, 4)).split("\n");
  assert.equal(csv[0], "class,object,area,centroid_row,centroid_col,min_row,min_col,max_row,max_col,mean_intensity,min_intensity,max_intensity");
  assert.equal(csv[1], "1,1,2,0.5,0.5,0,0,2,2,,,");
  assert.equal(csv.length, 5, "a header, three objects and the final newline");
  const physical = measurementsCsv({ ...measureObjects(labels, 4, 4), pixel_size: { x: 0.5, y: 0.25, unit: "µm" } }).split("\n");
  assert.match(physical[0]!, /,max_intensity,area_µm2$/);
  assert.equal(physical[1], "1,1,2,0.5,0.5,0,0,2,2,,,,0.25", "2 pixels of 0.5 × 0.25 µm");
});

test("the same objects as scikit-image's label and regionprops on a random three-class mask", { skip: needsSkimage }, () => {
  using dir = tempDir();
  const h = 61;
  const w = 47;
  // Blobs: a smoothed random field cut into three classes, so objects have every shape.
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const noise = Float64Array.from({ length: h * w }, rand);
  const smooth = noise.map((_, i) => {
    const r = Math.floor(i / w);
    const c = i % w;
    let s = 0;
    let k = 0;
    for (let dr = -2; dr <= 2; dr++)
      for (let dc = -2; dc <= 2; dc++) {
        if (r + dr < 0 || r + dr >= h || c + dc < 0 || c + dc >= w) continue;
        s += noise[(r + dr) * w + c + dc]!;
        k++;
      }
    return s / k;
  });
  const labels = Int32Array.from(smooth, (v) => (v < 0.45 ? 0 : v < 0.55 ? 1 : 2));
  const intensity = Float32Array.from({ length: h * w }, (_, i) => (i * 37) % 101);
  fs.writeFileSync(path.join(dir.path, "labels.bin"), labels);
  fs.writeFileSync(path.join(dir.path, "intensity.bin"), intensity);
  const script = `
import json, sys, numpy as np
from skimage.measure import label, regionprops
d = sys.argv[1]
m = np.fromfile(d + "/labels.bin", dtype=np.int32).reshape(${h}, ${w})
im = np.fromfile(d + "/intensity.bin", dtype=np.float32).reshape(${h}, ${w})
out = []
for c in sorted(set(m.ravel().tolist()) - {0}):
    for p in regionprops(label(m == c, connectivity=2), intensity_image=im):
        out.append([c, int(p.label), int(p.area), [float(x) for x in p.centroid], [int(x) for x in p.bbox], float(p.mean_intensity), float(p.min_intensity), float(p.max_intensity)])
print(json.dumps(out))
`;
  const expected = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, dir.path], { encoding: "utf8" })) as unknown[][];
  const got = measureObjects(labels, h, w, intensity).objects.map((o) => [o.class, o.object, o.area, o.centroid, o.bbox, o.mean_intensity, o.min_intensity, o.max_intensity]);
  const byClass = (rows: unknown[][]) => [...rows].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  assert.ok(expected.length > 10, `${expected.length} objects: enough to compare`);
  const round = (rows: unknown[][]) => rows.map((r) => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === "number" ? Math.round(v * 1e4) / 1e4 : v))) as unknown[]);
  assert.deepEqual(round(byClass(got)), round(byClass(expected)));
});
