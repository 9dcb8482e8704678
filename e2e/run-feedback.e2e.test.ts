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
        "pyproject.toml": pyproject(
          "failing",
          "1.0",
          'additional_parameters = [ { name = "weight", displayed_name = "Weight", description = "any", config = { type = "float", default = 0.5, adjustable = true } }, { name = "gain", displayed_name = "Gain", description = "a range", config = { type = "float_range", default = 2.0, min = 0.0, max = 10.0, step = 0.5, adjustable = true } }, { name = "sizes", displayed_name = "Sizes", description = "a list", config = { type = "float_list", default = [1.5, 2.0], adjustable = true } } ]',
        ).replace("Image2Image", "Generic"),
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

    // A slider shows its range; a list is edited item by item, its errors naming the item from 1.
    assert.equal((await page.locator('[data-param="gain"] .field-range').textContent())?.trim(), "0 – 10");
    // The slider's number box too: "1e" stays an error when the box is left, never becomes 0.00.
    const gainBox = page.locator('[data-param="gain"] input.number');
    await gainBox.fill("");
    await gainBox.pressSequentially("1e");
    await gainBox.blur();
    assert.equal(await gainBox.getAttribute("aria-invalid"), "true");
    assert.match((await page.locator('[data-param="gain"] .field-error').textContent()) ?? "", /not a number/);
    assert.notEqual(await page.locator('[data-param="gain"] input[type="range"]').inputValue(), "0", "the slider did not jump to 0");
    await gainBox.fill("2.00");
    await gainBox.blur();
    assert.equal(await gainBox.getAttribute("aria-invalid"), "false");
    const items = page.locator('[data-param="sizes"] input.list-item');
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), ["1.5", "2"]);
    await page.click('[data-param="sizes"] button:has-text("Add item")');
    assert.equal(await items.count(), 3);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Sizes, item 3", "focus goes to the new item");
    await page.keyboard.type("4");
    await items.nth(1).fill("");
    await items.nth(1).pressSequentially("1e");
    assert.match((await page.locator('[data-param="sizes"] .field-error').textContent()) ?? "", /^item 2: not a number/);
    assert.equal(await items.nth(1).getAttribute("aria-invalid"), "true");
    assert.equal(await items.nth(0).getAttribute("aria-invalid"), "false");
    await page.click('[data-param="sizes"] button[aria-label="remove item 2 of Sizes"]');
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), ["1.5", "4"]);
    assert.equal((await page.locator('[data-param="sizes"] .field-error').textContent()) ?? "", "");

    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".progress.indeterminate");
    // The API says RUNNING while the runner works; so does the view (never PENDING meanwhile).
    await page.waitForSelector(".progress-row .state:has-text('RUNNING')", { timeout: 60_000 });
    await page.waitForSelector(".failure-banner:not([hidden])", { timeout: 60_000 });
    assert.match((await page.locator(".failure-banner").textContent()) ?? "", /Failed: bad voxel spacing: give it in mm/);
    assert.equal(await page.locator(".progress-row.status-failed").count(), 1);
    assert.equal(await page.locator(".pct").textContent(), "failed");
    await page.click(".failure-banner summary:has-text('Show details')");
    await page.screenshot({ path: path.join(SHOTS, "run-failed.png"), fullPage: true });
  });
});
