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

    // Filters: by status (a stopped run joins the list), by algorithm, by start date.
    const stopped = await client.execute({ algorithm_id, input_dataset_ids: [ids["membrane.tif"]!] });
    await client.stopExecution(stopped.execution_id).catch(() => undefined);
    await eventually(async () => ["STOPPED", "COMPLETED"].includes((await client.getExecution(stopped.execution_id)).status), "the fourth run ends", 60_000);
    await page.click('[data-tab="algorithms"]');
    await page.click('[data-tab="history"]');
    await page.waitForSelector("table.history tbody tr >> nth=3");
    const shown = () => page.locator("table.history tbody tr:not([hidden])").count();
    const final = (await client.getExecution(stopped.execution_id)).status;
    await page.getByLabel("Status").selectOption(final);
    assert.equal(await shown(), final === "COMPLETED" ? 4 : 1, `status ${final}`);
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("Algorithm").selectOption({ label: "echo 1.0" });
    assert.equal(await shown(), 4, "all four are echo's");
    // Records keep local time (as Compox does): the first run's own day, so midnight cannot flake it.
    const [first] = (await client.listExecutions({ limit: 10 })).slice(-1);
    await page.getByLabel("Started from").fill(first!.time_started.slice(0, 10));
    assert.equal(await shown(), 4, "all started on or after the first run's day");
    await page.getByLabel("Started until").fill("2000-01-01");
    assert.equal(await shown(), 0, "none before 2000");
    assert.equal(await page.locator(".history-search [role=status]").textContent(), "0 of 4");
  });
});
