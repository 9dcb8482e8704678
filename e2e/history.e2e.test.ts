// History tells runs apart: each run's inputs by the names they were imported under, and a search
// over algorithm, inputs, status and parameters that narrows the list as one types.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { CompoxClient } from "../src-main/contract/client.js";
import { encodeTiff } from "../src-main/engine/datasets/tiff-writer.js";
import { eventually } from "../src-main/engine/testing/eventually.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { pyproject, tempDir, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { withWindow } from "./browser.js";

const ECHO = 'import { Image2ImageRunner } from "compox";\nexport class Runner extends Image2ImageRunner { inference(images) { return images; } }\n';

test("history names each run's inputs and a search narrows it", { skip: needsChromium, timeout: 120_000 }, async () => {
  using src = tempDir("compox-e2e-history-src-");
  await withWindow("compox-e2e-history-", async ({ url, page }) => {
    const client = new CompoxClient(url);
    const { algorithm_id } = await client.deployLocal(writeFiles(path.join(src.path, "echo"), { "pyproject.toml": pyproject("echo", "1.0"), "Runner.ts": ECHO }));
    const tif = new Uint8Array(encodeTiff([{ width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(7) }]));
    const ids: Record<string, string> = {};
    for (const name of ["nuclei-day1.tif", "nuclei-day2.tif", "membrane.tif"]) ids[name] = (await client.importImage(tif, name)).file_ids[0]!;
    for (const name of Object.keys(ids)) {
      const { execution_id } = await client.execute({ algorithm_id, input_dataset_ids: [ids[name]!] });
      await eventually(async () => (await client.getExecution(execution_id)).status === "COMPLETED", `the run on ${name}`, 60_000);
    }
    await page.goto(`${url}/ui/`);
    await page.click('[data-tab="history"]');
    await page.waitForSelector("table.history tbody tr");
    const inputs = await page.locator("table.history td.inputs").allTextContents();
    assert.deepEqual([...inputs].sort(), ["membrane.tif", "nuclei-day1.tif", "nuclei-day2.tif"], "inputs by name, not count");
    const search = page.getByLabel("Search history");
    await search.fill("nuclei");
    assert.equal(await page.locator("table.history tbody tr:not([hidden])").count(), 2);
    assert.equal(await page.locator(".history-search [role=status]").textContent(), "2 of 3");
    await search.fill("nuclei day2 completed");
    assert.deepEqual(await page.locator("table.history tbody tr:not([hidden]) td.inputs").allTextContents(), ["nuclei-day2.tif"], "every word must match");
    await search.fill("");
    assert.equal(await page.locator("table.history tbody tr:not([hidden])").count(), 3);
  });
});
