// Physical units in the window: a TIFF that states its pixel size (ImageJ's unit and resolution)
// shows a scale bar on its input, and its output — the same specimen, the same shape — shows it
// too; the readout gives positions in µm.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { dropFile, SHOTS, withWindow } from "./browser.js";

const TIFF = fileURLToPath(new URL("../src-main/engine/datasets/__fixtures__/pixel_size_imagej.tif", import.meta.url));

test("a TIFF with a pixel size gets a scale bar and physical positions, on its input and on its output", { skip: needsChromium, timeout: 120_000 }, async () => {
  await withWindow("compox-e2e-scale-", async ({ url, page }) => {
    await page.goto(`${url}/ui/`);
    await page.click('[data-name="tv_denoising"]');
    await page.waitForSelector('[data-param="denoising_weight"]');
    await dropFile(page, ".dropzone", TIFF, "image/tiff");
    const inputBar = page.locator(".dropzone").getByRole("note", { name: "Scale bar" });
    await inputBar.waitFor();
    assert.match((await inputBar.textContent()) ?? "", /^\d+ µm$/, "a round length in µm (0.65 × 0.5 µm pixels)");
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    const outputBar = page.locator(".outputs").getByRole("note", { name: "Scale bar" });
    await outputBar.waitFor();
    assert.match((await outputBar.textContent()) ?? "", /^\d+ µm$/, "the output carries its input's pixel size");
    const width = await outputBar.locator(".viewer-scale-line").evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(width > 40 && width < 250, `about 100 px long (${width})`);
    await page.click(".outputs .viewer button:has-text('Zoom in')");
    assert.notEqual(await outputBar.textContent(), null);
    const box = (await page.locator(".outputs .viewer-canvas").first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    assert.match((await page.locator(".outputs .viewer-readout").first().textContent()) ?? "", /^x \d+ \([\d.]+ [nµ]m\), y \d+ \([\d.]+ [nµ]m\): /);
    await page.screenshot({ path: path.join(SHOTS, "viewer-scale-bar.png"), fullPage: true });
  });
});
