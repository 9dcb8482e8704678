// The window when its server goes away mid-run: the loss is said at once (a banner, the header's
// dot), Run is not left disabled, and when the server is back (restarted on the same port and data
// directory) the window reconnects by itself and shows the run as its record has it — FAILED,
// "interrupted" by the restart — never a RUNNING that nothing runs.
import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { CompoxClient } from "../src-main/contract/client.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { pyproject, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { serveProcess } from "../src-main/server/testing/serve-process.js";
import { launch, SHOTS } from "./browser.js";

test("stop the server mid-run and start it again: the window says so at once, reconnects, and shows the run's true state", { skip: needsChromium, timeout: 180_000 }, async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "compox-e2e-reconnect-"));
  let server = await serveProcess(data);
  const browser = await launch();
  try {
    const client = new CompoxClient(server.url);
    await client.deployLocal(
      writeFiles(path.join(data, "src", "ticking"), {
        "pyproject.toml": pyproject("ticking", "1.0").replace("Image2Image", "Generic"),
        "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference() { for (let i = 0; ; i++) { this.setProgress(Math.min(0.9, i / 1000)); await new Promise((r) => setTimeout(r, 50)); } } }\n',
      }),
    );
    const page = await browser.newPage();
    await page.goto(`${server.url}/ui/`);
    await page.click('[data-name="ticking"]');
    await page.click("button.primary:has-text('Run')");
    await page.waitForFunction(() => document.querySelector(".progress-row .state")?.textContent === "RUNNING");

    server.child.kill("SIGKILL");
    await once(server.child, "exit");
    const banner = page.getByRole("alert").filter({ hasText: "connection to Compox Desktop was lost" });
    await banner.waitFor();
    assert.match((await page.locator(".server-state").textContent()) ?? "", /disconnected/);
    assert.ok(await page.locator(".server-state.bad").isVisible(), "the header's dot turns red");
    await page.screenshot({ path: path.join(SHOTS, "reconnect-lost.png") });

    // Back on the same port and data directory: the run it was running is failed by the restart.
    server = await serveProcess(data, { args: ["--port", new URL(server.url).port] });
    await banner.waitFor({ state: "hidden", timeout: 30_000 });
    await page.waitForSelector(".progress-row .state.status-failed", { timeout: 30_000 });
    assert.ok(await page.locator(".server-state.ok").isVisible());
    assert.equal(await page.locator("button.primary:has-text('Run')").isDisabled(), false, "Run is usable again");
    const [rec] = await new CompoxClient(server.url).listExecutions({ limit: 1 });
    assert.equal(rec?.status, "FAILED", "the record agrees");
  } finally {
    await browser.close();
    server.child.kill("SIGTERM");
    fs.rmSync(data, { recursive: true, force: true });
  }
});
