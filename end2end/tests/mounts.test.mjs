// Mounts in Chromium: enable a KV v2 engine from the types the server offers, tune its
// description, TTLs and versions kept, then disable it after typing its path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../support/server.mjs';
import { launch, screenshot, waitForHydration } from '../support/browser.mjs';
import { apiClient, initAndUnseal, signInWithToken, statusOf } from '../support/arcanum.mjs';

let server;
let browser;
let rootToken;
let api;

before(async () => {
  server = await startServer();
  browser = await launch();
  rootToken = await initAndUnseal(server);
  api = apiClient(server, rootToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('enable, tune and disable a secret engine', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signInWithToken(page, server, rootToken);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mounts' }).click();
  await page.getByRole('heading', { name: 'Enable a mount' }).waitFor();
  // A lazy page can render once more as its code and data settle.
  await page.waitForTimeout(300);

  await page.getByLabel('Type', { exact: true }).selectOption('kv');
  await page.getByLabel('Path').fill('team');
  await page.getByLabel('Description').fill('The team\'s secrets');
  await page.getByRole('button', { name: 'Enable' }).click();
  const engines = page.getByRole('table', { name: 'Secret engines' });
  await engines.getByRole('cell', { name: 'team/', exact: true }).waitFor();
  const mount = await api('GET', 'sys/mounts/team');
  assert.equal(mount.data.type, 'kv');
  assert.equal(mount.data.options.version, '2');
  await screenshot(page, 'mounts-1-enabled');

  // A path that is taken: refused with the reason.
  await page.getByLabel('Path').fill('team');
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.getByRole('alert').filter({ hasText: 'team/' }).waitFor();

  await page.getByRole('link', { name: 'Settings of team/' }).click();
  await page.getByRole('heading', { name: 'team/' }).waitFor();
  await page.waitForTimeout(300);
  await page.getByLabel('Description').fill('Secrets of the platform team');
  await page.getByLabel('Default lease TTL').fill('1h');
  await page.getByLabel('Versions kept per secret').fill('5');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();
  const tune = await api('GET', 'sys/mounts/team/tune');
  assert.equal(tune.data.description, 'Secrets of the platform team');
  assert.equal(tune.data.default_lease_ttl, 3600);
  const config = await api('GET', 'team/config');
  assert.equal(config.data.max_versions, 5);
  await screenshot(page, 'mounts-2-settings');

  const disable = page.getByRole('button', { name: 'Disable' });
  assert.equal(await disable.isDisabled(), true, 'disabled until the path is typed');
  await page.getByLabel('Type team to confirm').fill('team');
  await disable.click();
  await page.waitForURL('**/ui/mounts');
  assert.equal(await statusOf(server, rootToken, 'sys/mounts/team'), 400);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('every signed-in page fits a phone screen', async () => {
  await api('POST', 'sys/mounts/phone', { type: 'kv', options: { version: '2' } });
  await api('POST', 'phone/data/a-rather-long-folder-name/with-a-long-secret-name', {
    data: { username: 'app', password: 'x'.repeat(80) },
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/ui/sign-in`);
  await waitForHydration(page);
  await page.getByRole('tab', { name: 'Token' }).click();
  await page.getByLabel('Token').fill(rootToken);
  await page.getByLabel('Token').press('Enter');
  await page.waitForURL('**/ui/secrets');
  const pages = [
    '/ui/secrets',
    '/ui/secrets/browse?mount=phone&folder=a-rather-long-folder-name/',
    '/ui/secrets/show?mount=phone&path=a-rather-long-folder-name/with-a-long-secret-name',
    '/ui/secrets/edit?mount=phone&path=a-rather-long-folder-name/with-a-long-secret-name',
    '/ui/mounts',
    '/ui/mounts/settings?class=secret&path=phone',
    '/ui/policies',
    '/ui/policies/edit?name=default',
    '/ui/policies/simulate',
    '/ui/secrets/staleness?mount=phone',
    '/ui/tokens',
    '/ui/leases',
  ];
  for (const path of pages) {
    const res = await page.goto(`${server.url}${path}`);
    assert.equal(res.status(), 200, path);
    await waitForHydration(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 390px`);
  }
  await page.goto(`${server.url}/ui/secrets/show?mount=phone&path=a-rather-long-folder-name/with-a-long-secret-name`);
  await screenshot(page, 'console-7-secret-phone');
  await context.close();
});
