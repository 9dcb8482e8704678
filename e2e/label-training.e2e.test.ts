// Interactive training in the window (ilastik's loop): paint two classes on scikit-image's coins,
// train, see the prediction over the image, correct a region with Live update on, see it update;
// then a companion app runs the checkpoint a person trained by hand on a new image over HTTP.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { CompoxClient } from "../src-main/contract/client.js";
import { needsChromium } from "../src-main/engine/testing/system-needs.js";
import { COINS_PNG, dropFile, SHOTS, withWindow } from "./browser.js";

const W = 384;
const H = 303;
/** Centres (x, y) of four coins, and background strips along the top and bottom edges. */
const COIN_CENTRES: [number, number][] = [[270, 118], [347, 186], [215, 51], [155, 50]];

/** Paints a stroke through image pixels (x, y) on the label canvas. */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const box = await page.locator('canvas[aria-label="Label canvas"]').boundingBox();
  assert.ok(box);
  const to = ([x, y]: [number, number]) => [box.x + (x / W) * box.width, box.y + (y / H) * box.height] as const;
  const [first, ...rest] = points.map(to);
  await page.mouse.move(first![0], first![1]);
  await page.mouse.down();
  for (const p of rest) await page.mouse.move(p[0], p[1], { steps: 8 });
  await page.mouse.up();
}

/** Pixels of the prediction layer per colour channel that dominates (red = class 1, green = class 2). */
function predictionColours(page: Page): Promise<{ red: number; green: number }> {
  return page.locator('canvas[aria-label="Prediction"]').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let red = 0;
    let green = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3]! === 0) continue;
      if (d[i]! > d[i + 1]!) red++;
      else green++;
    }
    return { red, green };
  });
}

test("paint two classes, train, see the prediction, correct it live; a companion app uses the checkpoint", { skip: needsChromium, timeout: 180_000 }, async () => {
  await withWindow("compox-e2e-label-", async ({ url, page }) => {
    await page.goto(`${url}/ui/`);
    await page.click('[data-name="pixel_classifier"]');
    await page.click('[data-mode="train"]');
    await page.waitForSelector(".label-editor");
    await dropFile(page, ".label-drop", COINS_PNG, "image/png");
    await page.waitForSelector('canvas[aria-label="Label canvas"]', { state: "visible" });
    await page.fill("#brush-size", "8");
    // Class 1: the background along the top and bottom edges.
    await page.check('input[name="label-class"] >> nth=0');
    await stroke(page, [[10, 5], [370, 5]]);
    await stroke(page, [[10, 297], [370, 297]]);
    // Class 2: short strokes across four coins.
    await page.check('input[name="label-class"] >> nth=1');
    for (const [x, y] of COIN_CENTRES) await stroke(page, [[x - 8, y], [x + 8, y]]);
    // Undo and redo the last stroke with the keyboard.
    await page.focus('canvas[aria-label="Label canvas"]');
    const px = () => page.locator(".class-choice").nth(1).textContent();
    const before = await px();
    await page.keyboard.press("Control+z");
    assert.notEqual(await px(), before);
    await page.keyboard.press("Control+Shift+z");
    assert.equal(await px(), before);

    // Classes get names (kept for this algorithm in the browser); the painting canvas zooms.
    await page.getByLabel("Name of class 1").fill("Background");
    await page.getByLabel("Name of class 1").press("Tab");
    await page.getByLabel("Name of class 2").fill("Coins");
    await page.getByLabel("Name of class 2").press("Tab");
    assert.ok(await page.getByRole("radio", { name: "Coins" }).isChecked(), "the class radio goes by its name");
    const fitWidth = (await page.locator('canvas[aria-label="Label canvas"]').boundingBox())!.width;
    const zoomTools = page.getByRole("group", { name: "Label zoom" });
    await zoomTools.getByRole("button", { name: "1:1" }).click();
    assert.equal(Math.round((await page.locator('canvas[aria-label="Label canvas"]').boundingBox())!.width), W, "1:1: one screen pixel per image pixel");
    await zoomTools.getByRole("button", { name: "Zoom in" }).click();
    assert.equal(Math.round((await page.locator('canvas[aria-label="Label canvas"]').boundingBox())!.width), 2 * W);
    assert.equal(await zoomTools.locator(".label-zoom").textContent(), "200%");
    await zoomTools.getByRole("button", { name: "Fit" }).click();
    assert.equal((await page.locator('canvas[aria-label="Label canvas"]').boundingBox())!.width, fitWidth);

    await page.click(".label-editor button:has-text('Start training')");
    await page.waitForFunction(() => /Prediction updated/.test(document.querySelector(".label-editor [role=status]")?.textContent ?? ""), undefined, { timeout: 90_000 });
    const first = await predictionColours(page);
    assert.ok(first.red > 0.3 * W * H && first.green > 0.1 * W * H, JSON.stringify(first));
    const checkpoint = await page.locator('canvas[aria-label="Prediction"]').getAttribute("data-checkpoint");
    assert.ok(checkpoint);
    await page.screenshot({ path: path.join(SHOTS, "label-1-prediction.png"), fullPage: true });

    // Correct: with Live update on, a new background stroke retrains and the prediction changes.
    await page.check("#live-update");
    await page.check('input[name="label-class"] >> nth=0');
    await stroke(page, [[5, 60], [5, 250]]);
    await page.waitForFunction((old) => { const c = document.querySelector('canvas[aria-label="Prediction"]') as HTMLCanvasElement | null; return !!c?.dataset.checkpoint && c.dataset.checkpoint !== old && /Prediction updated/.test(document.querySelector(".label-editor [role=status]")?.textContent ?? ""); }, checkpoint, { timeout: 90_000 });
    await page.screenshot({ path: path.join(SHOTS, "label-2-updated.png"), fullPage: true });
    const updated = await page.locator('canvas[aria-label="Prediction"]').getAttribute("data-checkpoint");
    // The checkpoint is listed in the Train view, ready for "Run with this checkpoint".
    await page.waitForSelector("tr.checkpoint");

    // A companion app runs the hand-trained checkpoint on a new image (the coins mirrored).
    const client = new CompoxClient(url);
    const mirrored = await sharp(COINS_PNG).flop().toColourspace("b-w").png().toBuffer();
    const [input] = (await client.importImage(new Uint8Array(mirrored), "mirrored.png")).file_ids;
    const algorithm = await client.getAlgorithm("pixel_classifier", "1");
    const { execution_id } = await client.execute({ algorithm_id: algorithm.algorithm_id, input_dataset_ids: [input ?? ""], checkpoint_id: updated });
    let rec = await client.getExecution(execution_id);
    for (let i = 0; i < 600 && !["COMPLETED", "FAILED", "STOPPED"].includes(rec.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      rec = await client.getExecution(execution_id);
    }
    assert.equal(rec.status, "COMPLETED", rec.log);
    const png = await sharp(Buffer.from(await client.exportFile(rec.output_dataset_ids[0] ?? "", "png", "mask"))).raw().toBuffer({ resolveWithObject: true });
    const value = (x: number, y: number) => png.data[(y * png.info.width + (W - 1 - x)) * png.info.channels] ?? 0;
    const onCoins = COIN_CENTRES.filter(([x, y]) => value(x, y) > value(x, 5)).length;
    assert.ok(onCoins >= 3, `coin centres brighter than the background in the mask: ${onCoins} of 4`);

    // The Train view's own "Start training" on the painted sample trains sparse too, never dense.
    await page.locator(".train-view > .actions button:has-text('Start training')").click();
    await page.waitForSelector(".training-run .state.status-completed", { timeout: 90_000 });
    const [latest] = await client.listTrainings({ limit: 1 });
    assert.equal(latest?.additional_parameters.labels, "sparse", "painted samples train with labels = sparse from either button");
    assert.ok((await page.locator(".train-view li", { hasText: "(painted by hand)" }).count()) >= 1, "the sample list says which samples were painted");
  });
});
