// What the UI tests share: Debian's Chromium through playwright-core, a served window, and a real
// drag and drop.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { fileURLToPath } from "node:url";
import { CHROMIUM, SKIMAGE_DATA } from "../src-main/engine/testing/system-needs.js";
import { serveProcess } from "../src-main/server/testing/serve-process.js";

/** Debian's Chromium with a fresh profile (Playwright passes it as --user-data-dir). */
export async function launch(): Promise<BrowserContext> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "compox-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Drops a file on an element the way a user's drag and drop does. */
export async function dropFile(page: Page, selector: string, file: string, type: string): Promise<void> {
  const data = fs.readFileSync(file).toString("base64");
  const transfer = await page.evaluateHandle(
    ({ data, name, type }) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      return dt;
    },
    { data, name: path.basename(file), type },
  );
  await page.dispatchEvent(selector, "drop", { dataTransfer: transfer });
}


const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Where the UI tests put their screenshots: the committed set under e2e/screenshots/ when
 * UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else a git-ignored folder, so a test run leaves the
 * tree clean.
 */
export const SHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? path.join(root, "e2e", "screenshots") : path.join(root, ".tmp", "screenshots");

/** scikit-image's coins (Debian's python3-skimage), else the copy in the repository. */
export const COINS_PNG = fs.existsSync(`${SKIMAGE_DATA}/coins.png`) ? `${SKIMAGE_DATA}/coins.png` : path.join(root, "algorithms", "tests", "__fixtures__", "coins.png");

/** Runs `fn` against `compox serve` on a fresh data directory, in a fresh window of Chromium;
 * afterwards closes both and removes the directory. */
export async function withWindow(prefix: string, fn: (w: { url: string; page: Page }) => Promise<void>): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const data = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const { url, child } = await serveProcess(data);
  const browser = await launch();
  try {
    await fn({ url, page: await browser.newPage() });
  } finally {
    await browser.close();
    child.kill();
    fs.rmSync(data, { recursive: true, force: true });
  }
}

const AXE = fs.readFileSync(path.join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy forbids inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ["violations"] })).violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 4).join(", ")})`);
}

/** Removes the inputs the run view kept from earlier (the window keeps each algorithm's work). */
export async function clearInputs(page: Page): Promise<void> {
  // The kept inputs are listed once their datasets' info arrives: wait for the list, empty or not.
  await page.waitForFunction(() => (document.querySelector(".dropzone .input-list")?.childElementCount ?? 0) > 0);
  while ((await page.locator('.dropzone button[title^="remove input"]').count()) > 0) await page.locator('.dropzone button[title="remove input 1"]').click();
}

/** Opens `algorithm` in the window, drops `file` on its inputs and runs it (its form shows `param`). */
export async function runOnDroppedFile(page: Page, algorithm: string, param: string, file: string): Promise<void> {
  await page.click(`[data-name="${algorithm}"]`);
  await page.waitForSelector(`[data-param="${param}"]`);
  await dropFile(page, ".dropzone", file, "image/png");
  await page.waitForSelector(".input-item .viewer-canvas");
  await page.click("button.primary:has-text('Run')");
}
