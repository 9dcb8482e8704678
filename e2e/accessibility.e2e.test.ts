// axe-core over every view of the window (algorithms, run with a result in the viewer, train,
// history with a run opened, settings): no serious or critical violation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { accessibilityProblems, COINS_PNG, runOnDroppedFile, withWindow } from "./browser.js";

test("axe-core finds no serious or critical violation on any view", { skip: needsChromium, timeout: 120_000 }, async () => {
  await withWindow("compox-e2e-axe-", async ({ url, page }) => {
    const problems: string[] = [];
    const check = async (view: string) => problems.push(...(await accessibilityProblems(page)).map((p) => `${view}: ${p}`));
    await page.goto(`${url}/ui/`);
    await page.waitForSelector('[data-name="tv_denoising"]');
    await check("algorithms");
    await runOnDroppedFile(page, "tv_denoising", "denoising_weight", COINS_PNG);
    await page.waitForSelector(".state.status-completed", { timeout: 60_000 });
    await page.waitForSelector(".viewer .viewer-canvas");
    await check("run with its result");
    await page.click('[data-name="pixel_classifier"]');
    await page.click('[data-mode="train"]');
    await page.waitForSelector(".train-view, .pane");
    await check("train");
    await page.click('[data-tab="history"]');
    await page.waitForSelector("table.history");
    await page.locator("table.history button", { hasText: "Open" }).first().click();
    await page.waitForSelector(".history-detail .viewer-canvas");
    await check("history");
    await page.click('[data-tab="settings"]');
    await page.waitForSelector(".settings");
    await check("settings");
    assert.deepEqual(problems, []);
  });
});
