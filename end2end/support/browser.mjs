// Debian's Chromium driven by playwright-core (no browser download).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const screenshotDir = resolve(import.meta.dirname, '..', 'screenshots');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync',
      '--disable-background-networking', '--disable-component-update'],
  });
}

/** Save a full-page screenshot under end2end/screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Wait until the wasm app has hydrated (buttons react to clicks). */
export async function waitForHydration(page) {
  await page.waitForFunction(() => window.__arcanum_hydrated === true, null, { timeout: 30_000 });
}
