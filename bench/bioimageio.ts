// The bioimage.io rows of `npm run bench`, on the real package beside the repository
// (../shared/fixtures/bioimageio/unet2d_nuclei_broad): tiled inference on a 2048² image against
// onnxruntime-node's whole-image session.run (time and peak memory), and the import's verification
// against the least it needs (a session created and run on the test input). Each side runs in a
// process of its own (bench/bioimageio-run.ts), alternating.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BIOIMAGEIO_FIXTURE } from "../src-main/engine/testing/bioimageio.js";
import { PYTHON } from "../src-main/engine/testing/system-needs.js";
import { median } from "./compare.js";
import type { Row } from "./report.js";

const root = fileURLToPath(new URL("..", import.meta.url));

// The package's ONNX graph takes 512² only; the whole-image baseline needs the same network with
// free y and x: its TorchScript weights loaded into its own unet2d.py and exported.
const EXPORT = String.raw`
import importlib.util, sys, torch
d, out = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("unet2d", d + "/unet2d.py")
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
net = m.UNet2d(input_channels=1, output_channels=1)
net.load_state_dict(torch.jit.load(d + "/weights.pt", map_location="cpu").state_dict())
net.eval()
torch.onnx.export(net, torch.zeros(1, 1, 512, 512), out, input_names=["input"], output_names=["output"], dynamic_axes={"input": {2: "h", 3: "w"}, "output": {2: "h", 3: "w"}}, opset_version=15)
`;

interface Measured {
  seconds: number[];
  peak_mb: number;
  note?: string;
}

const measure = (mode: string, repeats: number, extra: string[] = []): Measured =>
  JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(root, "bench", "bioimageio-run.ts"), mode, BIOIMAGEIO_FIXTURE.dir, String(repeats), ...extra], { cwd: root, encoding: "utf8" })) as Measured;

/** The rows, or none (saying why) when the package or PyTorch is missing. */
export function bioimageioBenches(repeats: number): Row[] {
  if (BIOIMAGEIO_FIXTURE.skip) {
    console.log(`${BIOIMAGEIO_FIXTURE.skip}: skipping the bioimage.io rows`);
    return [];
  }
  const rows: Row[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-bioimageio-"));
  try {
    const wholeImage = path.join(scratch, "whole-image.onnx");
    const exported = PYTHON !== undefined && spawnSync(PYTHON, ["-c", EXPORT, BIOIMAGEIO_FIXTURE.dir, wholeImage], { stdio: "ignore" }).status === 0;
    if (!exported) console.log("python3-torch is needed to export the whole-image baseline: skipping the tiled-inference row");
    else {
      const ours = measure("tiled", repeats);
      const bare = measure("bare", repeats, [wholeImage]);
      const mb = median(bare.seconds);
      const memory = ours.peak_mb / bare.peak_mb;
      rows.push({
        name: "bioimage.io unet2d 2048², tiled (512, halo 32)",
        ours: `${(median(ours.seconds) * 1000).toFixed(0)} ms, +${ours.peak_mb.toFixed(0)} MB`,
        baseline: `whole-image session.run ${(mb * 1000).toFixed(0)} ms, +${bare.peak_mb.toFixed(0)} MB`,
        ratio: median(ours.seconds) / mb,
        spread: [Math.min(...ours.seconds) / mb, Math.max(...ours.seconds) / mb],
        target: 1.3,
        goal: { text: "memory ≤ 0.35×", met: memory <= 0.35 },
        note: `memory ${memory.toFixed(2)}×; ${ours.note}: the package's graph takes 512² only, so 25 tiles compute 1.56× the pixels of one 2048² run`,
      });
    }
    const imported = measure("import", repeats);
    const least = measure("bare-test", repeats);
    const lm = median(least.seconds);
    rows.push({
      name: "bioimage.io import (verification), unet2d",
      ours: `${(median(imported.seconds) * 1000).toFixed(0)} ms`,
      baseline: `session create + run on the test input ${(lm * 1000).toFixed(0)} ms`,
      ratio: median(imported.seconds) / lm,
      spread: [Math.min(...imported.seconds) / lm, Math.max(...imported.seconds) / lm],
      note: "sha256 of every file, the whole pipeline on the test input, the comparison, the algorithm folder written",
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const r of rows) console.log(`${r.name}: ${r.ratio.toFixed(2)}× (${r.ours} vs ${r.baseline})${r.note ? `; ${r.note}` : ""}`);
  return rows;
}
