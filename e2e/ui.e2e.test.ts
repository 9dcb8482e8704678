// The window's UI in Debian's Chromium, against `compox serve` on a temp data directory and a free
// port: list → generated form → drop a PNG → run with live progress and log → output in the viewer →
// stop a long run → history. ScreenSHOTS of each screen go to e2e/screenSHOTS/ (git-ignored).
import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { CompoxClient } from "../src-main/contract/client.js";
import sharp from "sharp";
import { twoClassImage } from "../algorithms/tests/synthetic-two-class.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { COINS_PNG, dropFile, launch, SHOTS } from "./browser.js";
import { pyproject, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { serveProcess } from "../src-main/server/testing/serve-process.js";



test("the UI runs an algorithm from a dropped PNG, stops a long run, trains with a checkpoint, and lists them in history", { skip: needsChromium, timeout: 180000 }, async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "compox-e2e-"));
  const src = fs.mkdtempSync(path.join(os.tmpdir(), "compox-e2e-src-"));
  const { url, child } = await serveProcess(data);
  const browser = await launch();
  try {
    // A slow algorithm to stop, with one fixed (non-adjustable) parameter.
    const client = new CompoxClient(url);
    await client.deployLocal(
      writeFiles(path.join(src, "slow_loop"), {
        "pyproject.toml": pyproject("slow_loop", "1.0", 'removable = true\nadditional_parameters = [ { name = "mode", description = "fixed", config = { type = "string", default = "loop", adjustable = false } } ]').replace("Image2Image", "Generic"),
        "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference() { for (let i = 0; ; i++) { this.logMessage("tick " + i); this.setProgress(Math.min(0.9, i / 100)); this.checkStop(); await new Promise((r) => setTimeout(r, 100)); } } }\n',
      }),
    );
    const page = await browser.newPage();
    await page.goto(`${url}/ui/`);
    await page.waitForSelector('[data-name="tv_denoising"]');
    await page.screenshot({ path: path.join(SHOTS, "1-algorithms.png") });

    // The generated form: 2 decimals for a float_range with decimal_precision 2.
    await page.click('[data-name="tv_denoising"]');
    const weight = page.locator('[data-param="denoising_weight"] input.number');
    assert.equal(await weight.inputValue(), "0.10");
    await page.click('[data-name="threshold_segmentation"]');
    await page.waitForSelector('[data-param="thresholding_algorithm"] option', { state: "attached" });
    const options = await page.locator('[data-param="thresholding_algorithm"] option').allTextContents();
    assert.deepEqual(options, ["otsu", "yen", "li", "minimum", "mean", "triangle", "isodata", "local"]);
    await page.click('[data-name="slow_loop"]');
    await page.waitForSelector('[data-param="mode"] input');
    assert.equal(await page.locator('[data-param="mode"] input').isDisabled(), true, "a non-adjustable parameter is read-only");

    // Drop a PNG on tv_denoising and run it.
    await page.click('[data-name="tv_denoising"]');
    await page.waitForSelector('[data-param="denoising_weight"]');
    const png = COINS_PNG;
    await dropFile(page, ".dropzone", png, "image/png");
    await page.waitForSelector(".input-item .viewer-canvas");
    await page.fill('[data-param="denoising_weight"] input.number', "0.3");
    await page.screenshot({ path: path.join(SHOTS, "2-run-form.png") });
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".log-line");
    await page.waitForSelector(".state.status-completed", { timeout: 60000 });
    assert.equal(await page.locator(".pct").textContent(), "100%");
    assert.ok((await page.locator(".log-line").allTextContents()).some((l) => /image 1 of 1 denoised/.test(l)));
    await page.waitForSelector(".outputs .viewer .viewer-canvas");
    await page.waitForFunction(() => /%$/.test(document.querySelector(".viewer-zoom")?.textContent ?? ""));
    await page.screenshot({ path: path.join(SHOTS, "3-run-result.png"), fullPage: true });

    // Start the slow algorithm, watch it log, stop it.
    await page.click('[data-name="slow_loop"]');
    await page.waitForSelector('[data-param="mode"]');
    await page.click("button.primary:has-text('Run')");
    await page.waitForFunction(() => document.querySelectorAll(".log-line").length >= 3);
    await page.screenshot({ path: path.join(SHOTS, "4-running.png") });
    await page.click("button.danger:has-text('Stop')");
    await page.waitForSelector(".state.status-stopped", { timeout: 15000 });

    // Registration of two shifted coins: the matrix as a table and the moved image as an overlay.
    await page.click('[data-tab="algorithms"]');
    await page.click('[data-name="phase_correlation_registration"]');
    await page.waitForSelector('[data-param="upsample_factor"]');
    await dropFile(page, ".dropzone", png, "image/png");
    await page.waitForSelector(".input-item .viewer-canvas");
    await dropFile(page, ".dropzone", png, "image/png");
    await page.waitForFunction(() => document.querySelectorAll(".input-item .viewer-canvas").length === 2);
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector("table.matrix", { timeout: 60000 });
    const cells = await page.locator("table.matrix td").allTextContents();
    assert.deepEqual(cells, ["1.000", "0.000", "0.000", "0.000", "1.000", "0.000", "0.000", "0.000", "1.000"], "identical images: identity");
    // The moved image is drawn over the reference in the viewer, its opacity adjustable.
    await page.getByRole("slider", { name: "Moved image opacity" }).fill("0.8");
    await page.waitForSelector(".outputs .viewer-canvas");
    await page.screenshot({ path: path.join(SHOTS, "5-alignment.png"), fullPage: true });

    // Train pixel_classifier from the window on two synthetic images, watch the chart, run with the checkpoint.
    const pics: Record<string, string> = {};
    for (const seed of [31, 32, 99]) {
      const s = twoClassImage(64, 64, seed);
      pics[`img${seed}`] = path.join(src, `img${seed}.png`);
      pics[`lab${seed}`] = path.join(src, `lab${seed}.png`);
      await sharp(Uint8Array.from(s.image, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)), { raw: { width: 64, height: 64, channels: 1 } }).toColourspace("b-w").png().toFile(pics[`img${seed}`]!);
      await sharp(s.labels, { raw: { width: 64, height: 64, channels: 1 } }).toColourspace("b-w").png().toFile(pics[`lab${seed}`]!);
    }
    await page.click('[data-tab="algorithms"]');
    await page.click('[data-name="pixel_classifier"]');
    await page.click('[data-mode="train"]');
    await page.waitForSelector(".train-view");
    for (const seed of [31, 32]) {
      await dropFile(page, ".dropzone.inputs", pics[`img${seed}`]!, "image/png");
      await page.waitForFunction((n) => document.querySelectorAll(".dropzone.inputs .input-item").length === n, seed - 30);
      await dropFile(page, ".dropzone.targets", pics[`lab${seed}`]!, "image/png");
      await page.waitForFunction((n) => document.querySelectorAll(".dropzone.targets .input-item").length === n, seed - 30);
    }
    await page.click("button:has-text('Add sample')");
    await page.waitForSelector("ul.samples input:checked");
    await page.click(".train-view > .actions button:has-text('Start training')");
    // The chart moves: a state series with at least two points.
    await page.waitForFunction(() => [...document.querySelectorAll(".chart-box polyline")].some((l) => (l.getAttribute("points") ?? "").includes(" ")), undefined, { timeout: 60000 });
    await page.waitForSelector(".training-run .state.status-completed", { timeout: 60000 });
    await page.waitForSelector("tr.checkpoint");
    await page.screenshot({ path: path.join(SHOTS, "6-training.png"), fullPage: true });
    await page.click("button:has-text('Run with this checkpoint')");
    await page.waitForSelector(".checkpoint-note");
    await dropFile(page, ".dropzone", pics.img99!, "image/png");
    await page.waitForSelector(".input-item .viewer-canvas");
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".state.status-completed", { timeout: 60000 });
    await page.waitForSelector(".outputs .viewer-legend li");
    await page.screenshot({ path: path.join(SHOTS, "7-run-with-checkpoint.png"), fullPage: true });

    // History: runs and trainings; a removed algorithm keeps its name; a past run opens whole, and
    // "Run again" keeps its checkpoint.
    const slowLoop = (await client.listAlgorithms({})).find((x) => x.algorithm_name === "slow_loop")!;
    await client.removeAlgorithm(slowLoop.algorithm_id);
    await page.click('[data-tab="history"]');
    await page.waitForSelector('tr[data-status="STOPPED"]');
    assert.equal(await page.locator('tr[data-kind="run"][data-status="COMPLETED"]').count(), 3);
    assert.equal(await page.locator('tr[data-kind="training"][data-status="COMPLETED"]').count(), 1);
    assert.match((await page.locator('tr[data-status="STOPPED"] td').first().textContent()) ?? "", /^slow_loop .*\(removed\)$/);
    const checkpointRun = page.locator('tr[data-kind="run"]').first(); // the newest: the run with the checkpoint
    await checkpointRun.getByRole("button", { name: /^Open run/ }).click();
    await page.waitForSelector(".history-detail .viewer-legend li");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), await page.locator(".history-detail h3").textContent(), "focus moves to the opened run");
    const checkpointId = ((await page.locator(".history-detail dl.facts dd").nth(4).textContent()) ?? "").trim();
    assert.match(checkpointId, /^[0-9a-f-]{36}$/);
    assert.ok((await page.locator(".history-detail .log-line").count()) > 0);
    await page.screenshot({ path: path.join(SHOTS, "8-history.png"), fullPage: true });
    await page.click(".history-detail button:has-text('Run again')");
    await page.waitForSelector(".checkpoint-note");
    assert.match((await page.locator(".checkpoint-note").textContent()) ?? "", new RegExp(checkpointId.slice(0, 8)));
    await page.click('[data-tab="settings"]');
    await page.waitForSelector(".settings");
    await page.screenshot({ path: path.join(SHOTS, "9-settings.png") });
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    await once(child, "exit");
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(src, { recursive: true, force: true });
  }
});
