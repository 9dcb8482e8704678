// The window keeps the user's work: inputs, parameters and the run (followed from its record)
// survive going to another view or algorithm and back, and a reload of the page.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { COINS_PNG, runOnDroppedFile, withWindow } from "./browser.js";

/** The run view of tv_denoising as the user left it: one input, weight 0.30, the completed run with its output. */
async function assertWorkKept(page: Page, when: string): Promise<void> {
  await page.waitForSelector('[data-name="tv_denoising"][aria-selected="true"]');
  await page.waitForSelector(".input-item .viewer-canvas");
  assert.equal(await page.locator(".dropzone .input-item").count(), 1, `${when}: the input is there`);
  assert.equal(await page.locator('[data-param="denoising_weight"] input.number').inputValue(), "0.30", `${when}: the parameter is kept`);
  await page.waitForSelector(".state.status-completed");
  await page.waitForSelector(".outputs .viewer .viewer-canvas");
}

test("inputs, parameters and the run survive another view, another algorithm and a reload", { skip: needsChromium, timeout: 180_000 }, async () => {
  await withWindow("compox-e2e-kept-", async ({ url, page }) => {
    await page.goto(`${url}/ui/`);
    await page.waitForSelector('[data-name="tv_denoising"]');
    await page.click('[data-name="tv_denoising"]');
    await page.waitForSelector('[data-param="denoising_weight"]');
    await page.fill('[data-param="denoising_weight"] input.number', "0.3");
    await page.locator('[data-param="denoising_weight"] input.number').press("Tab");
    await runOnDroppedFile(page, "tv_denoising", "denoising_weight", COINS_PNG);
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });

    await page.click('[data-tab="history"]');
    await page.waitForSelector(".history, table");
    await page.click('[data-tab="algorithms"]');
    await assertWorkKept(page, "back from History");

    await page.click('[data-name="threshold_segmentation"]');
    await page.waitForSelector('[data-param="thresholding_algorithm"]');
    assert.equal(await page.locator(".dropzone .input-item").count(), 0, "another algorithm has its own (empty) inputs");
    await page.click('[data-name="tv_denoising"]');
    await assertWorkKept(page, "back from another algorithm");

    await page.reload();
    await assertWorkKept(page, "after a reload");
  });
});
