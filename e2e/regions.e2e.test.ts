// Named regions in the window: a Compox 3.2 Image2MultiRegionSegmentation algorithm's output drawn
// as one coloured layer per region over the input, with a legend that names them.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CompoxClient } from "../src-main/contract/client.js";
import { needsChromium, needsPython } from "../src-main/engine/testing/system-needs.js";
import { COINS_PNG, runOnDroppedFile, SHOTS, withWindow } from "./browser.js";

const root = fileURLToPath(new URL("..", import.meta.url));

test("the window draws named regions with a legend", { skip: needsChromium || needsPython, timeout: 120_000 }, async () => {
  await withWindow("compox-e2e-regions-", async ({ url, page }) => {
    await new CompoxClient(url).deployLocal(path.join(root, "src-main", "engine", "runtime", "__fixtures__", "compox", "cx_multiregion"));
    await page.goto(`${url}/ui/`);
    await runOnDroppedFile(page, "cx_multiregion", "low", COINS_PNG);
    await page.waitForSelector(".region-legend li", { timeout: 60_000 });
    assert.deepEqual((await page.locator(".region-legend li").allTextContents()).map((t) => t.trim()), ["dark", "middle", "bright"]);
    assert.equal(await page.locator(".stack .region-layer").count(), 3);
    // Hiding a region hides its layer.
    await page.locator(".region-legend input").nth(1).uncheck();
    assert.equal(await page.locator(".stack .region-layer").nth(1).isHidden(), true);
    await page.screenshot({ path: path.join(SHOTS, "regions.png"), fullPage: true });
  });
});
