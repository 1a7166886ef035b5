// The KV secrets browser in Chromium: create a secret, see it masked and reveal one
// value, edit it, compare two versions side by side, delete and undelete a version,
// move it with its history, search the mount by path, and delete it.
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
  await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  await api('POST', 'secret/data/team/other', { data: { note: 'unrelated' } });
});

// A page that has just opened can render once more as its data settles (lazy pages
// load their code first): fill until the value sticks.
async function fillStable(locator, value) {
  for (let i = 0; i < 30 && (await locator.inputValue()) !== value; i++) {
    await locator.fill(value);
    await locator.page().waitForTimeout(100);
  }
}

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('create, edit, diff, delete, undelete, move, search and delete a secret', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signInWithToken(page, server, rootToken);

  // Into the mount, then a new secret in the team/ folder.
  await page.getByRole('link', { name: 'secret/', exact: true }).click();
  await page.getByRole('list', { name: 'Folder contents' }).getByRole('link', { name: 'team/' }).click();
  await page.getByRole('link', { name: 'New secret' }).click();
  await page.getByRole('heading', { name: 'New secret' }).waitFor();
  await page.waitForTimeout(300);
  await fillStable(page.getByLabel('Path'), 'team/db');
  await page.getByLabel('Key', { exact: true }).fill('username');
  await page.getByLabel('Value', { exact: true }).fill('app');
  await page.getByRole('button', { name: 'Add row' }).click();
  await page.getByLabel('Key', { exact: true }).nth(1).fill('password');
  await page.getByLabel('Value', { exact: true }).nth(1).fill('first-password');
  await screenshot(page, 'secrets-1-new');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'team/db' }).waitFor();
  await page.getByTestId('version-shown').filter({ hasText: 'Version 1 (current)' }).waitFor();

  // Masked until revealed, and not in the page before.
  assert.ok(!(await page.content()).includes('first-password'), 'values are not in the page until revealed');
  await page.getByRole('button', { name: 'Reveal password' }).click();
  await page.getByTestId('secret-value').filter({ hasText: 'first-password' }).waitFor();
  await screenshot(page, 'secrets-2-revealed');

  // Edit as JSON: a second version.
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByRole('heading', { name: 'Edit team/db' }).waitFor();
  await page.waitForTimeout(300);
  await page.getByRole('button', { name: 'JSON' }).click();
  await page.getByLabel('JSON').fill(JSON.stringify({ username: 'app', password: 'second-password', port: '5432' }, null, 2));
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('version-shown').filter({ hasText: 'Version 2 (current)' }).waitFor();
  const stored = await api('GET', 'secret/data/team/db');
  assert.deepEqual(stored.data.data, { username: 'app', password: 'second-password', port: '5432' });

  // Side by side: v1 against v2.
  await page.getByRole('button', { name: 'Compare' }).click();
  const diff = page.getByRole('table', { name: 'Differences' });
  await diff.locator('tr[data-changed="true"]').filter({ hasText: 'first-password' }).filter({ hasText: 'second-password' }).waitFor();
  await diff.locator('tr[data-changed="true"]').filter({ hasText: '5432' }).waitFor();
  await screenshot(page, 'secrets-3-diff');

  // Custom metadata, as key=value lines.
  await page.getByText('Edit metadata').click();
  await page.getByLabel('Custom metadata (one key=value per line)').fill('owner=team-a\nticket=OPS-42');
  await page.getByRole('button', { name: 'Save metadata' }).click();
  await page.locator('dt', { hasText: 'owner' }).waitFor();
  const custom = await api('GET', 'secret/metadata/team/db');
  assert.deepEqual(custom.data.custom_metadata, { owner: 'team-a', ticket: 'OPS-42' });

  // Delete version 1, then undelete it.
  await page.getByRole('button', { name: 'Delete version 1' }).click();
  await page.getByRole('button', { name: 'Undelete version 1' }).waitFor();
  let meta = await api('GET', 'secret/metadata/team/db');
  assert.notEqual(meta.data.versions['1'].deletion_time, '');
  await page.getByRole('button', { name: 'Undelete version 1' }).click();
  await page.getByRole('button', { name: 'Delete version 1' }).waitFor();
  meta = await api('GET', 'secret/metadata/team/db');
  assert.equal(meta.data.versions['1'].deletion_time, '');

  // Move it, history and all.
  // The page re-renders as the undelete's refresh settles.
  await fillStable(page.getByLabel('New path'), 'apps/database');
  await page.getByRole('button', { name: 'Move' }).click();
  await page.getByRole('heading', { name: 'apps/database' }).waitFor();
  meta = await api('GET', 'secret/metadata/apps/database');
  assert.equal(meta.data.current_version, 2);
  assert.deepEqual(meta.data.custom_metadata, { owner: 'team-a', ticket: 'OPS-42' }, 'metadata moves too');
  const v1 = await api('GET', 'secret/data/apps/database?version=1');
  assert.equal(v1.data.data.password, 'first-password');
  assert.equal(await statusOf(server, rootToken, 'secret/metadata/team/db'), 404, 'the old path is gone');
  await screenshot(page, 'secrets-4-moved');

  // Search the whole mount by path.
  await page.goto(`${server.url}/ui/secrets/browse?mount=secret&folder=`);
  await waitForHydration(page);
  await page.getByRole('searchbox', { name: 'Search this mount by path' }).fill('datab');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('list', { name: 'Search results' });
  await results.getByRole('link', { name: 'apps/database' }).waitFor();
  assert.equal(await results.getByRole('link').count(), 1);
  await screenshot(page, 'secrets-5-search');

  // Delete it for good, after typing its path.
  await results.getByRole('link', { name: 'apps/database' }).click();
  await page.getByRole('heading', { name: 'apps/database' }).waitFor();
  const remove = page.getByRole('button', { name: 'Delete secret' });
  assert.equal(await remove.isDisabled(), true, 'disabled until the path is typed');
  await page.getByLabel('Type apps/database to confirm').fill('apps/database');
  await remove.click();
  await page.waitForURL('**/ui/secrets/browse**');
  assert.equal(await statusOf(server, rootToken, 'secret/metadata/apps/database'), 404);

  assert.deepEqual(pageErrors, []);
  await page.close();
});
