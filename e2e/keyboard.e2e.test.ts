// The whole flow with the keyboard alone — choose an algorithm, set a parameter, add a 3-page TIFF
// (one stack input), run, inspect the stacked result in the viewer, then run a long one and stop
// it — with no click: Tab, arrows, Enter, Space and typing only.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { encodeTiff } from "../src-main/engine/datasets/tiff-writer.js";
import { openImage } from "../src-main/engine/datasets/image-import.js";
import { CompoxClient } from "../src-main/contract/client.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { pyproject, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { SHOTS, withWindow } from "./browser.js";

/** Presses Tab until the focused element matches `selector` (fails after `max` presses). */
async function tabTo(page: Page, selector: string, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Moves through the algorithm listbox with the arrow keys to `name`, and opens it with Enter. */
async function chooseAlgorithm(page: Page, name: string): Promise<void> {
  await tabTo(page, '[role="option"]');
  const at = () => page.evaluate((n) => document.activeElement?.getAttribute("data-name") === n, name);
  for (let i = 0; i < 10 && !(await at()); i++) await page.keyboard.press("ArrowDown");
  for (let i = 0; i < 20 && !(await at()); i++) await page.keyboard.press("ArrowUp");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-name")), name);
  await page.keyboard.press("Enter");
}

test("the whole flow works with the keyboard alone, a multi-page TIFF being one stack input", { skip: needsChromium, timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-e2e-keys-"));
  // Three 48×64 16-bit pages, each a ramp at its own level plus noise.
  const pages = [0, 1, 2].map((k) => ({ width: 64, height: 48, channels: 1 as const, data: Uint16Array.from({ length: 48 * 64 }, (_, i) => 1000 * (k + 1) + (i % 64) * 10 + ((i * 7919) % 97)) }));
  const stack = path.join(dir, "stack.tif");
  fs.writeFileSync(stack, encodeTiff(pages));
  try {
    await withWindow("compox-e2e-keys-", async ({ url, page }) => {
      await new CompoxClient(url).deployLocal(
        writeFiles(path.join(dir, "slow_loop"), {
          "pyproject.toml": pyproject("slow_loop", "1.0", "").replace("Image2Image", "Generic"),
          "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference() { for (let i = 0; i < 600; i++) { this.logMessage(`step ${i}`); this.checkStop(); await new Promise((r) => setTimeout(r, 100)); } } }\n',
        }),
      );
      await page.goto(`${url}/ui/`);
      await page.waitForSelector('[data-name="tv_denoising"]');

      await chooseAlgorithm(page, "tv_denoising");
      await page.waitForSelector('[data-param="denoising_weight"]');
      // A parameter, typed.
      await tabTo(page, '[data-param="denoising_weight"] input:not([type="range"])');
      await page.keyboard.press("Control+A");
      await page.keyboard.type("0.2");

      // The file chooser, opened with Space on the focused "Choose files…" input.
      await tabTo(page, '.dropzone input[type="file"]');
      const chooser = page.waitForEvent("filechooser");
      await page.keyboard.press("Space");
      await (await chooser).setFiles(stack);
      await page.waitForSelector(".input-item .viewer-slice-label");
      assert.equal(await page.locator(".input-item").count(), 1, "three pages, one input");
      assert.match((await page.locator(".input-item .input-head").textContent()) ?? "", /stack\.tif 3 pages, one stack/);
      assert.equal(await page.locator(".input-item .viewer-slice-label").textContent(), "1 / 3");

      await tabTo(page, "button.primary");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Run");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
      const rec = await page.evaluate(async () => (await (await fetch("/api/v0/executions?limit=1")).json()) as { input_dataset_ids: string[]; output_dataset_ids: string[]; additional_parameters: Record<string, unknown> }[]);
      assert.equal(rec[0]?.input_dataset_ids.length, 3, "the API got the pages as three datasets, as Compox takes a stack");
      assert.equal(rec[0]?.additional_parameters.denoising_weight, 0.2);
      // Three outputs, one viewer with a slice slider over them.
      await page.waitForSelector(".outputs .viewer-slice-label");
      assert.equal(await page.locator(".outputs .viewer").count(), 1);
      // The stack leaves as one TIFF: three pages, the values of the three outputs in their own type.
      const whole = page.getByRole("link", { name: /Download the stack as one TIFF \(3 pages, data\)/ });
      const href = await whole.getAttribute("href");
      assert.ok(href);
      const tiff = Buffer.from(await (await fetch(new URL(href, url))).arrayBuffer());
      const got = [];
      for await (const p of (await openImage(tiff, "stack_tv.tif", { maxPages: 10, maxPixels: 1e6 })).pages) got.push(p);
      const client = new CompoxClient(url);
      const outs = rec[0]?.output_dataset_ids ?? [];
      const dtype = (await client.fileInfo(outs[0]!)).keys.image?.dtype;
      assert.deepEqual(got.map((p) => [p.dtype, p.shape]), outs.map(() => [dtype === "float16" ? "float32" : dtype, [48, 64]]));
      if (dtype === "float32") for (const [k, id] of outs.entries()) assert.deepEqual([...(got[k]!.data as Float32Array)], [...(await client.plane(id, { max_size: 4096 })).data], `page ${k + 1} is output ${k + 1}, value for value`);

      // Inspect: the output's canvas takes focus by Tab; arrows change the slice, + zooms.
      await tabTo(page, ".outputs .viewer-canvas");
      await page.keyboard.press("ArrowRight");
      await page.waitForFunction(() => document.querySelector(".outputs .viewer-slice-label")?.textContent === "2 / 3");
      const before = await page.locator(".outputs .viewer-zoom").textContent();
      await page.keyboard.press("+");
      assert.notEqual(await page.locator(".outputs .viewer-zoom").textContent(), before, "+ zooms in");
      await page.screenshot({ path: path.join(SHOTS, "keyboard-stack.png"), fullPage: true });

      // A long run, stopped from the keyboard.
      await chooseAlgorithm(page, "slow_loop");
      await page.waitForSelector(".run-view h2:has-text('slow_loop')");
      await tabTo(page, "button.primary");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelectorAll(".log-line").length >= 2);
      await tabTo(page, "button.danger");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".state.status-stopped", { timeout: 15_000 });
      await page.screenshot({ path: path.join(SHOTS, "keyboard-stopped.png") });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
