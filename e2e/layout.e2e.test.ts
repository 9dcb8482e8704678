// The window from 800 px up: no view scrolls sideways.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { SHOTS, withWindow } from "./browser.js";

test("no horizontal scrolling at 800 px in the algorithms, run, train, history and settings views", { skip: needsChromium, timeout: 120_000 }, async () => {
  await withWindow("compox-e2e-layout-", async ({ url, page }) => {
    await page.setViewportSize({ width: 800, height: 900 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.goto(`${url}/ui/`);
    await page.waitForSelector('[data-name="tv_denoising"]');
    assert.equal(await overflow(), 0, "algorithms");
    await page.click('[data-name="threshold_segmentation"]');
    await page.waitForSelector('[data-param="thresholding_algorithm"]');
    assert.equal(await overflow(), 0, "run view");
    await page.click('[data-name="pixel_classifier"]');
    await page.click('[data-mode="train"]');
    await page.waitForSelector(".label-editor");
    assert.equal(await overflow(), 0, "train view");
    await page.screenshot({ path: path.join(SHOTS, "layout-800-train.png"), fullPage: true });
    for (const tab of ["history", "settings"]) {
      await page.click(`[data-tab="${tab}"]`);
      await page.waitForTimeout(300);
      assert.equal(await overflow(), 0, tab);
    }
  });
});
