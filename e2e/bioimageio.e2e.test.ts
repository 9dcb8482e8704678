// A bioimage.io model package added through the window as a user would (Add Algorithm → upload the
// .zip), its model card on screen (cover, license, authors, citation, verification), then run on
// the package's own sample image.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { CompoxClient } from "../src-main/contract/client.js";
import { zipFiles } from "../src-main/engine/deploy/module-zip.js";
import { BIOIMAGEIO_FIXTURE } from "../src-main/engine/testing/bioimageio.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { accessibilityProblems, dropFile, SHOTS, withWindow } from "./browser.js";

const FIXTURE = BIOIMAGEIO_FIXTURE.dir;

test("a bioimage.io model zip added through the window shows its card (cover, license, citation, verification) and runs on an image", { skip: needsChromium || BIOIMAGEIO_FIXTURE.skip, timeout: 180_000 }, async () => {
  await withWindow("compox-e2e-bioimageio-", async ({ url, page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${url}/ui/`);
    await page.waitForSelector('[data-name="tv_denoising"]');
    const zip = zipFiles(fs.readdirSync(FIXTURE).map((f) => ({ path: f, content: fs.readFileSync(path.join(FIXTURE, f)) })));
    await page.click("details.add summary");
    await page.setInputFiles("details.add input[type=file]", { name: "unet2d_nuclei_broad.zip", mimeType: "application/zip", buffer: zip });
    await page.getByText(/unet_2d_nuclei_broad: deployed v\d+\.\d+/).waitFor({ timeout: 120_000 });

    await page.click('[data-name="unet_2d_nuclei_broad"]');
    const card = page.getByRole("region", { name: "Model card" });
    await card.getByText("MIT").waitFor();
    assert.match(await card.textContent() ?? "", /Constantin Pape.*Fynn Beuttenmueller/);
    assert.match(await card.textContent() ?? "", /Verified at import with its ONNX weights: the output reproduces its test output \(largest difference [\d.e-]+; 0 of 262,144 values outside/);
    const cover = card.getByRole("img", { name: "cover of UNet 2D Nuclei Broad" });
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>(".model-cover")?.naturalWidth ?? 0) > 0);
    assert.ok(await cover.isVisible(), "the cover is on screen");
    assert.ok(await card.getByRole("button", { name: "Copy citation" }).isVisible());
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: path.join(SHOTS, "bioimageio-model-card-1280.png") });

    await page.waitForSelector('[data-param="halo"]');
    await dropFile(page, ".dropzone", path.join(FIXTURE, "test_input.png"), "image/png");
    await page.waitForSelector(".input-item .viewer-canvas");
    await page.click("button.primary:has-text('Run')");
    await page.waitForSelector(".state.status-completed", { timeout: 120_000 });
    await page.waitForSelector(".outputs .viewer .viewer-canvas");
    // The run's record: one output of the image's size, float probabilities.
    const client = new CompoxClient(url);
    const [rec] = await client.call("listExecutions", { query: { limit: 1 } });
    const info = await client.call("fileInfo", { params: { id: rec!.output_dataset_ids[0]! } });
    assert.deepEqual([info.keys.image?.shape, info.keys.image?.dtype], [[512, 512], "float32"]);
  });
});
