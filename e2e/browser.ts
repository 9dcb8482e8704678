// What the UI tests share: Debian's Chromium through playwright-core, and a real drag and drop.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM } from "../src-main/engine/testing/system-needs.js";

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

