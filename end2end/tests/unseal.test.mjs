// The unseal ceremony in Chromium: initialise a fresh server through the console, keep
// the keys it shows once, then unseal with a quorum of shares entered one at a time,
// meeting the errors for a repeated and a wrong share on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../support/server.mjs';
import { launch, screenshot, waitForHydration } from '../support/browser.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function sealStatus() {
  const res = await fetch(`${server.url}/v1/sys/seal-status`);
  return res.json();
}

test('initialise and unseal a fresh server through the console', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await page.goto(`${server.url}/ui/`);
  await waitForHydration(page);
  await page.getByRole('heading', { name: 'Initialise' }).waitFor();
  await screenshot(page, 'unseal-1-initialise');

  // A threshold above the share count is refused with the reason.
  await page.getByLabel('Key shares').fill('3');
  await page.getByLabel('Key threshold').fill('4');
  await page.getByRole('button', { name: 'Initialise' }).click();
  await page.getByRole('alert').filter({ hasText: 'threshold cannot be larger than shares' }).waitFor();
  assert.equal((await sealStatus()).initialized, false, 'a refused init stores nothing');

  await page.getByLabel('Key threshold').fill('2');
  await page.getByRole('button', { name: 'Initialise' }).click();
  await page.getByRole('heading', { name: 'Store these keys now' }).waitFor();
  const keys = await page.getByTestId('key-share').allTextContents();
  const rootToken = (await page.getByTestId('root-token').textContent()).trim();
  assert.equal(keys.length, 3);
  assert.match(rootToken, /^s\.[A-Za-z0-9]{24}$/);
  await screenshot(page, 'unseal-2-keys');

  const status = await sealStatus();
  assert.deepEqual([status.initialized, status.sealed, status.t, status.n], [true, true, 2, 3]);

  await page.getByRole('button', { name: /continue to unseal/ }).click();
  await page.getByRole('heading', { name: 'Unseal' }).waitFor();
  await page.getByText('0 of 2 key shares provided').waitFor();

  // First share: progress moves.
  await page.getByLabel('Key share').fill(keys[0]);
  await page.getByRole('button', { name: 'Submit key share' }).click();
  await page.getByText('1 of 2 key shares provided').waitFor();
  await screenshot(page, 'unseal-3-progress');

  // The same share again: a clear error, progress kept.
  await page.getByLabel('Key share').fill(keys[0]);
  await page.getByRole('button', { name: 'Submit key share' }).click();
  await page.getByRole('alert').filter({ hasText: 'already provided' }).waitFor();
  await page.getByText('1 of 2 key shares provided').waitFor();

  // Garbage: a clear error.
  await page.getByLabel('Key share').fill('not-a-key!');
  await page.getByRole('button', { name: 'Submit key share' }).click();
  await page.getByRole('alert').filter({ hasText: 'hex or base64' }).waitFor();

  // Start over, then a tampered share completes the quorum wrongly.
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByText('0 of 2 key shares provided').waitFor();
  await page.getByLabel('Key share').fill(keys[1]);
  await page.getByRole('button', { name: 'Submit key share' }).click();
  await page.getByText('1 of 2 key shares provided').waitFor();
  const tampered = Buffer.from(keys[2], 'base64');
  tampered[5] ^= 0xff;
  const foreign = tampered.toString('base64');
  await page.getByLabel('Key share').fill(foreign);
  await page.getByRole('button', { name: 'Submit key share' }).click();
  await page.getByRole('alert').filter({ hasText: 'do not reconstruct' }).waitFor();
  await page.getByText('0 of 2 key shares provided').waitFor();
  assert.equal((await sealStatus()).sealed, true);
  await screenshot(page, 'unseal-4-wrong-share');

  // The right quorum, entered with the keyboard only.
  await page.getByLabel('Key share').fill(keys[2]);
  await page.getByLabel('Key share').press('Enter');
  await page.getByText('1 of 2 key shares provided').waitFor();
  await page.getByLabel('Key share').fill(keys[1]);
  await page.getByLabel('Key share').press('Enter');
  await page.getByRole('heading', { name: 'Unsealed' }).waitFor();
  await screenshot(page, 'unseal-5-unsealed');

  const after = await sealStatus();
  assert.equal(after.sealed, false);

  // The root token shown once really is a root token.
  const keyStatus = await fetch(`${server.url}/v1/sys/key-status`, { headers: { 'X-Vault-Token': rootToken } });
  assert.equal(keyStatus.status, 200);

  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await page.close();
});

test('the ceremony page works at phone width', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${server.url}/ui/unseal`);
  await waitForHydration(page);
  await page.getByRole('heading', { name: 'Unsealed' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling at 390px');
  await screenshot(page, 'unseal-6-phone');
  await page.close();
});
