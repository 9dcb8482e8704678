// Run feedback that tells the truth: a malformed number is an error on its field (never a silent
// 0), the algorithm list works with the keyboard, progress is indeterminate until the runner reports any, a failure shows the exception's
// message with the traceback behind "Show details", and the favicon is served.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { CompoxClient } from "../src-main/contract/client.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { pyproject, tempDir, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { SHOTS, withWindow } from "./browser.js";

test("malformed numbers are field errors, progress is indeterminate until reported, failures show their message", { skip: needsChromium, timeout: 120_000 }, async () => {
  using src = tempDir("compox-e2e-feedback-src-");
  await withWindow("compox-e2e-feedback-", async ({ url, page }) => {
    const client = new CompoxClient(url);
    await client.deployLocal(
      writeFiles(path.join(src.path, "failing"), {
        "pyproject.toml": pyproject("failing", "1.0", 'additional_parameters = [ { name = "weight", displayed_name = "Weight", description = "any", config = { type = "float", default = 0.5, adjustable = true } } ]').replace("Image2Image", "Generic"),
        "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference() { await new Promise((r) => setTimeout(r, 1500)); throw new Error("bad voxel spacing: give it in mm"); } }\n',
      }),
    );
    const favicon = await fetch(`${url}/favicon.ico`);
    assert.equal(favicon.status, 200);
    assert.equal(favicon.headers.get("content-type"), "image/png");

    await page.goto(`${url}/ui/`);
    // The algorithm list is a listbox: arrows move, Enter opens, focus stays on the item.
    await page.focus('[role="listbox"] [role="option"][tabindex="0"]');
    const names = await page.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`[role="option"][aria-selected="true"][data-name="${names[1]}"]`);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-name")), names[1]);
    await page.click('[data-name="failing"]');
    const weight = page.getByLabel("Weight", { exact: true });
    await weight.pressSequentially("1e");
    await weight.fill("");
    await weight.pressSequentially("1e");
    await page.click("button.primary:has-text('Run')");
    assert.equal(await weight.getAttribute("aria-invalid"), "true");
    assert.match((await page.locator('[data-param="weight"] .field-error').textContent()) ?? "", /not a number/);
    assert.equal(await page.locator(".progress-row").count(), 0, "nothing ran");
    await weight.fill("0.25");
    assert.equal(await weight.getAttribute("aria-invalid"), "false");

    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".progress.indeterminate");
    await page.waitForSelector(".failure-banner:not([hidden])", { timeout: 60_000 });
    assert.match((await page.locator(".failure-banner").textContent()) ?? "", /Failed: bad voxel spacing: give it in mm/);
    assert.equal(await page.locator(".progress-row.status-failed").count(), 1);
    assert.equal(await page.locator(".pct").textContent(), "failed");
    await page.click(".failure-banner summary:has-text('Show details')");
    await page.screenshot({ path: path.join(SHOTS, "run-failed.png"), fullPage: true });
  });
});
