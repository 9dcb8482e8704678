// The image viewer in Debian's Chromium: an output's real values on a canvas, zoom (buttons and
// keys), the value under the cursor equal to the dataset's, contrast, colour maps, and the slice
// slider with arrow keys on a 3-plane output.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { CompoxClient } from "../src-main/contract/client.js";
import { readHdf5, writeHdf5 } from "../src-main/engine/datasets/hdf5.js";
import { needsChromium, needsSkimage } from "../src-main/engine/testing/system-needs.js";
import { measureObjects } from "../src-main/engine/datasets/measure.js";
import { pyproject, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { clearInputs, COINS_PNG, dropFile, runOnDroppedFile, SHOTS, withWindow } from "./browser.js";

/** Downloads dataset `id` (HDF5) to `file`; returns `file`. */
async function downloadTo(client: CompoxClient, id: string, file: string): Promise<string> {
  fs.writeFileSync(file, new Uint8Array(await (await client.request("GET", `/api/v0/files/${id}`)).arrayBuffer()));
  return file;
}

/** The pixel a little right of the centre of the viewer's canvas (off the compare line), as the page draws it. */
const centrePixel = (page: Page) =>
  page.locator(".outputs .viewer-canvas").first().evaluate((c: HTMLCanvasElement) => [...c.getContext("2d")!.getImageData(Math.floor(c.width / 2) + 24, Math.floor(c.height / 2), 1, 1).data]);

/** The mean red level of the output's canvas (grey colour map: its brightness; any map: a fingerprint of what is drawn). */
const meanGrey = (page: Page) =>
  page.locator(".outputs .viewer-canvas").first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i]!;
    return sum / (d.length / 4);
  });

const zoomText = async (page: Page) => Number(((await page.locator(".outputs .viewer-zoom").first().textContent()) ?? "").replace("%", ""));
/** Zoom labels are rounded percentages: equal to within the rounding of each. */
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 2, `zoom ${a}% where ${b}% was expected`);

test("the viewer shows an output's values: zoom, readout, contrast, colour map, slices", { skip: needsChromium, timeout: 120_000 }, async () => {
  await withWindow("compox-e2e-viewer-", async ({ url, page }) => {
    const client = new CompoxClient(url);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${url}/ui/`);
    await runOnDroppedFile(page, "tv_denoising", "denoising_weight", COINS_PNG);
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    await page.waitForSelector(".outputs .viewer .viewer-canvas");
    await page.waitForFunction(() => /%$/.test(document.querySelector(".outputs .viewer-zoom")?.textContent ?? ""));
    const [r, g, b, a] = await centrePixel(page);
    assert.equal(a, 255, "the image is drawn");
    assert.ok(r === g && g === b, "grey by default");

    // Zoom with the buttons and the keyboard.
    const fitted = await zoomText(page);
    await page.click(".outputs .viewer button:has-text('Zoom in')");
    near(await zoomText(page), fitted * 2);
    await page.locator(".outputs .viewer-canvas").focus();
    await page.keyboard.press("+");
    near(await zoomText(page), fitted * 4);
    await page.keyboard.press("0");
    near(await zoomText(page), fitted);
    await page.click(".outputs .viewer button:has-text('Actual size')");
    assert.equal(await zoomText(page), 100);

    // The readout under the cursor is the dataset's own value at that pixel.
    await page.locator(".outputs .viewer-canvas").scrollIntoViewIfNeeded();
    const box = (await page.locator(".outputs .viewer-canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 + 10, box.y + box.height / 2 - 20);
    const readout = (await page.locator(".outputs .viewer-readout").textContent()) ?? "";
    const m = /^x (\d+), y (\d+): (\S+) · input (\S+)$/.exec(readout);
    assert.ok(m, `readout "${readout}"`);
    const exec = (await client.listExecutions({ limit: 1 }))[0]!;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "compox-viewer-")), "out.h5");
    fs.writeFileSync(file, new Uint8Array(await (await client.request("GET", `/api/v0/files/${exec.output_dataset_ids[0]}`)).arrayBuffer()));
    const out = (await readHdf5(file)).image!;
    const expected = (out.data as Float32Array)[Number(m[2]) * out.shape[1]! + Number(m[1])]!;
    assert.ok(Math.abs(Number(m[3]) - expected) <= 1e-3 * Math.max(1, Math.abs(expected)), `readout ${m[3]}, dataset ${expected}`);

    // Contrast and colour map.
    const blackBefore = await page.locator(".outputs").getByLabel("Black point").inputValue();
    await page.click(".outputs .viewer button:has-text('Auto contrast')");
    assert.notEqual(await page.locator(".outputs").getByLabel("Black point").inputValue(), blackBefore, "auto contrast moves the black point to a percentile");
    // The points as numbers, shown on the histogram; a malformed number stays invalid and changes nothing; gamma brightens.
    const outputs = page.locator(".outputs");
    const blackSlider = outputs.getByLabel("Black point");
    const step = Number(await blackSlider.getAttribute("step"));
    assert.ok(Math.abs(Number(await outputs.getByLabel("Black value").inputValue()) - Number(await blackSlider.inputValue())) <= step, "the number is the slider's value (the slider to its step)");
    assert.match((await outputs.getByRole("img", { name: /^Histogram of the plane shown/ }).getAttribute("aria-label")) ?? "", /values [-\d.e]+ to [-\d.e]+; contrast [-\d.e]+ … [-\d.e]+$/);
    const before = await centrePixel(page);
    await outputs.getByLabel("White value").selectText();
    await page.keyboard.type("1e"); // a number input accepts the keys, and its value is then ""
    await outputs.getByLabel("White value").press("Tab");
    assert.equal(await outputs.getByLabel("White value").getAttribute("aria-invalid"), "true", "visibly invalid");
    assert.deepEqual(await centrePixel(page), before, "an invalid number is not applied");
    await outputs.getByLabel("Gamma value").fill("0.3");
    await outputs.getByLabel("Gamma value").press("Tab");
    const brighter = await meanGrey(page);
    await outputs.getByLabel("Gamma value").fill("1");
    await outputs.getByLabel("Gamma value").press("Tab");
    assert.ok(brighter > (await meanGrey(page)) + 5, "gamma 0.3 brightens the image");
    await outputs.getByLabel("Black value").fill("0");
    await outputs.getByLabel("Black value").press("Tab");
    assert.equal(await outputs.getByLabel("Black point").inputValue(), "0", "a number moves its slider");
    assert.equal(await outputs.getByLabel("White value").getAttribute("aria-invalid"), null, "a good entry clears the mark");
    await outputs.getByLabel("Colormap").selectOption("viridis");
    const [vr, vg, vb] = await centrePixel(page);
    assert.ok(!(vr === vg && vg === vb), `viridis is not grey: ${vr},${vg},${vb}`);
    await page.screenshot({ path: path.join(SHOTS, "viewer.png"), fullPage: true });

    // Compare with the input: the swipe moves the line between input (left) and output (right).
    const compare = page.locator(".outputs").getByRole("slider", { name: "Compare" });
    await compare.fill("1");
    const inputShown = await meanGrey(page);
    await compare.fill("0");
    assert.notEqual(await meanGrey(page), inputShown, "left of the line is the input, right of it the output");
    await compare.fill("0.5");

    // A segmentation: the mask's classes over the input, with pixel counts, opacity and outlines.
    await page.click('[data-tab="algorithms"]');
    await runOnDroppedFile(page, "threshold_segmentation", "thresholding_algorithm", COINS_PNG);
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    await page.waitForSelector(".outputs .viewer-legend li");
    const legend = (await page.locator(".outputs .viewer-legend li").allTextContents()).map((t) => t.trim());
    const seg = (await client.listExecutions({ limit: 1 }))[0]!;
    const mask = (await readHdf5(await downloadTo(client, seg.output_dataset_ids[0]!, path.join(path.dirname(file), "mask.h5")))).mask!.data as Uint8Array;
    const inside = mask.reduce((n, v) => n + (v === 1 ? 1 : 0), 0);
    assert.deepEqual(legend, [`1: ${inside.toLocaleString("en")} px`]);
    // Measured: as many objects as scikit-image's label finds on the same mask (8-connected).
    await page.locator(".outputs").getByRole("button", { name: "Measure objects" }).click();
    const caption = (await page.locator(".outputs table.measurements caption").first().textContent()) ?? "";
    const shown = Number(/^(\d+) objects? in 1 class/.exec(caption)?.[1]);
    const maskFile = path.join(path.dirname(file), "mask.h5");
    const objects = needsSkimage
      ? measureObjects(mask, ...(((await readHdf5(maskFile)).mask!.shape) as [number, number])).objects.length
      : Number(execFileSync("/usr/bin/python3", ["-c", "import sys, h5py; from skimage.measure import label; m = h5py.File(sys.argv[1])['mask'][()]; print(label(m == 1, connectivity=2).max())", maskFile], { encoding: "utf8" }));
    assert.ok(shown > 1, caption);
    assert.equal(shown, objects, caption);
    const csvHref = await page.locator(".outputs").getByRole("link", { name: "Download the objects as CSV" }).getAttribute("href");
    const csv = await (await fetch(new URL(csvHref!, url))).text();
    assert.equal(csv.trim().split("\n").length, objects + 1, "a header and a line per object");
    await page.locator(".outputs").getByRole("slider", { name: "Opacity" }).fill("1");
    await page.locator(".outputs").getByLabel("Outline").check();
    await page.screenshot({ path: path.join(SHOTS, "viewer-labels.png"), fullPage: true });
    await page.locator(".outputs .viewer-legend input").uncheck();
    assert.equal(await page.locator(".outputs .viewer-legend input").isChecked(), false);

    // A mask of three classes (grey levels in thirds): three colours, each with its pixel count.
    await client.deployLocal(
      writeFiles(path.join(path.dirname(file), "three_classes"), {
        "pyproject.toml": pyproject("three_classes", "1.0", "").replace("Image2Image", "Image2Segmentation"),
        "Runner.ts": 'import { Image2SegmentationRunner } from "compox";\nexport class Runner extends Image2SegmentationRunner { inference(images) { return { dtype: "uint8", shape: [...images.shape], data: Uint8Array.from(images.data, (v) => 1 + Math.floor((v * 3) / 256)) }; } }\n',
      }),
    );
    await page.click('[data-tab="algorithms"]');
    await page.click('[data-name="three_classes"]');
    await page.waitForSelector(".run-view h2:has-text('three_classes')");
    await dropFile(page, ".dropzone", COINS_PNG, "image/png");
    await page.waitForSelector(".input-item .viewer-canvas");
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll(".outputs .viewer-legend li").length === 3);
    const grey = (await readHdf5(await downloadTo(client, (await client.listExecutions({ limit: 1 }))[0]!.input_dataset_ids[0]!, path.join(path.dirname(file), "coins.h5")))).image!.data as Uint8Array;
    const counts = [1, 2, 3].map((c) => grey.reduce((n, v) => n + (1 + Math.floor((v * 3) / 256) === c ? 1 : 0), 0));
    assert.deepEqual((await page.locator(".outputs .viewer-legend li").allTextContents()).map((t) => t.trim()), counts.map((n, i) => `${i + 1}: ${n.toLocaleString("en")} px`));
    const swatches = await page.locator(".outputs .viewer-legend .swatch").evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    assert.equal(new Set(swatches).size, 3, "each class its own colour");
    await page.screenshot({ path: path.join(SHOTS, "viewer-three-classes.png"), fullPage: true });

    // A 3-plane output: the slice slider and the arrow keys.
    const planes = Float32Array.from({ length: 3 * 40 * 60 }, (_, i) => (Math.floor(i / 2400) + 1) * 0.3 + ((i * 7919) % 13) / 130);
    const input = path.join(path.dirname(file), "planes.h5");
    await writeHdf5(input, { image: { dtype: "float32", shape: [3, 40, 60], data: planes } });
    const { file_id } = await client.uploadFile(new Uint8Array(fs.readFileSync(input)));
    await page.click('[data-tab="algorithms"]');
    await page.click('[data-name="tv_denoising"]');
    await page.waitForSelector('[data-param="denoising_weight"]');
    await clearInputs(page); // the coins of the first run are kept: start from none
    await page.click("summary:has-text('Choose existing datasets')");
    // With the 2-D coins beside it, the 3-plane input cannot be stacked: said before Run, and refused.
    const coins = (await client.listFiles(50)).find((f) => f.keys.image?.shape.length === 2)!;
    await page.click(`button[title="add ${coins.name ?? coins.file_id}"]`);
    await page.click(`button[title="add ${file_id}"]`);
    await page.waitForSelector(".input-mismatch:not([hidden])");
    assert.match((await page.locator(".input-mismatch").textContent()) ?? "", /^input 2 is float32 \[3, 40, 60\] but input 1 is uint8 \[\d+, \d+\]: Image2Image stacks its inputs/);
    const runsBefore = (await client.listExecutions({ limit: 100 })).length;
    await page.click("button.primary:has-text('Run')");
    await page.waitForFunction(() => /cannot run together/.test(document.querySelector(".actions > .status-line")?.textContent ?? ""));
    assert.equal((await client.listExecutions({ limit: 100 })).length, runsBefore, "nothing ran");
    await page.click('button[title="remove input 1"]');
    await page.waitForSelector(".input-mismatch", { state: "hidden" });
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    await page.waitForSelector(".outputs .viewer-slice-label");
    assert.equal(await page.locator(".outputs .viewer-slice-label").textContent(), "1 / 3");
    await page.locator(".outputs .viewer-canvas").focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.locator(".outputs .viewer-slice-label").textContent(), "2 / 3");
    await page.locator(".outputs").getByRole("slider", { name: "Slice" }).fill("2");
    assert.equal(await page.locator(".outputs .viewer-slice-label").textContent(), "3 / 3");
    await page.screenshot({ path: path.join(SHOTS, "viewer-slices.png"), fullPage: true });

    // A 4096² image: the viewer fetches its planes reduced to 2048 (the readout says so), never the file.
    const n = 4096;
    const big = Uint8Array.from({ length: n * n }, (_, i) => (((i % n) >> 6) + ((Math.floor(i / n) >> 6) % 2) * 100) % 256);
    const bigFile = path.join(path.dirname(file), "big.h5");
    await writeHdf5(bigFile, { image: { dtype: "uint8", shape: [n, n], data: big } });
    const bigId = (await client.uploadFile(new Uint8Array(fs.readFileSync(bigFile)))).file_id;
    const downloads: string[] = [];
    page.on("request", (r) => downloads.push(new URL(r.url()).pathname));
    await page.click('[data-tab="algorithms"]');
    await page.click('[data-name="threshold_segmentation"]');
    await page.waitForSelector('[data-param="thresholding_algorithm"]');
    await clearInputs(page);
    await page.click("summary:has-text('Choose existing datasets')");
    await page.click(`button[title="add ${bigId}"]`);
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    await page.waitForSelector(".outputs .viewer-legend li");
    assert.match((await page.locator(".outputs .viewer-readout").textContent()) ?? "", /^4096×4096 \(shown reduced 1:2\)$/);
    await page.locator(".outputs .viewer-canvas").scrollIntoViewIfNeeded();
    const bigBox = (await page.locator(".outputs .viewer-canvas").boundingBox())!;
    await page.mouse.move(bigBox.x + bigBox.width / 2 + 5, bigBox.y + bigBox.height / 2 + 5);
    assert.match((await page.locator(".outputs .viewer-readout").textContent()) ?? "", /^x \d+, y \d+: ≈ \S+ · label [01]$/);
    assert.ok(downloads.some((p) => p.endsWith("/plane")), "planes were fetched");
    // Zoomed in past the reduced plane, the visible region comes at full resolution: exact values.
    await page.click(".outputs .viewer button:has-text('Zoom in')");
    await page.click(".outputs .viewer button:has-text('Zoom in')");
    await page.click(".outputs .viewer button:has-text('Zoom in')");
    await page.click(".outputs .viewer button:has-text('Zoom in')");
    // The detail arrives after the zoom settles: read until the readout is exact (no "≈").
    let exact: RegExpExecArray | null = null;
    for (let i = 0; i < 50 && !exact; i++) {
      await page.mouse.move(bigBox.x + bigBox.width / 2 + 7 + (i % 2), bigBox.y + bigBox.height / 2 + 3);
      exact = /^x (\d+), y (\d+): (\d+) · label [01]$/.exec((await page.locator(".outputs .viewer-readout").textContent()) ?? "");
      if (!exact) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(exact, `an exact readout once the detail arrived: ${await page.locator(".outputs .viewer-readout").textContent()}`);
    assert.equal(Number(exact[3]), big[Number(exact[2]) * n + Number(exact[1])], "the full-resolution value");
    assert.ok(!downloads.some((p) => new RegExp(`/api/v0/files/(${bigId})$`).test(p)), "the 16 MB file itself was not downloaded");
    await page.screenshot({ path: path.join(SHOTS, "viewer-4096.png"), fullPage: true });
  });
});
