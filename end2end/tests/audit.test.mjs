// The audit trail viewer in Chromium: after traffic from two identities, an auditor
// filters the trail to one secret and to one identity, opens an entry, and exports the
// filter as CSV holding exactly the matching rows; a non-auditor gets neither the
// navigation nor the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { startServer } from '../support/server.mjs';
import { launch, screenshot, waitForHydration } from '../support/browser.mjs';
import { apiClient, initAndUnseal, signInWithPassword, signInWithToken } from '../support/arcanum.mjs';

let server;
let browser;
let rootToken;
let api;

before(async () => {
  server = await startServer();
  browser = await launch();
  rootToken = await initAndUnseal(server);
  api = apiClient(server, rootToken);
  await api('PUT', 'sys/audit/trail', { type: 'database' });
  await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  await api('POST', 'sys/auth/userpass', { type: 'userpass' });
  await api('PUT', 'sys/policies/acl/app-reader', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
  await api('POST', 'auth/userpass/users/alice', { password: 'correct horse', token_policies: 'app-reader' });
  await api('POST', 'secret/data/app/db', { data: { password: 'hunter2' } });
  await api('POST', 'secret/data/app/cache', { data: { password: 'swordfish' } });
  const login = await (await fetch(`${server.url}/v1/auth/userpass/login/alice`, {
    method: 'POST', body: JSON.stringify({ password: 'correct horse' }),
  })).json();
  const alice = apiClient(server, login.auth.client_token);
  await alice('GET', 'secret/data/app/db');
  await alice('GET', 'secret/data/app/db');
  await alice('GET', 'secret/data/app/cache');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an auditor filters the trail, opens an entry and exports exactly the filtered rows', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signInWithToken(page, server, rootToken);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('table', { name: 'Audit entries' }).waitFor();
  await page.waitForTimeout(300);

  // One secret: the root write and alice's two reads of it.
  await page.getByLabel('Path prefix').fill('secret/data/app/db');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL('**/ui/audit?**path_prefix=secret%2Fdata%2Fapp%2Fdb**');
  const rows = page.getByRole('table', { name: 'Audit entries' }).locator('tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Audit entries"] tbody tr').length === 3);
  const identities = await rows.locator('td:nth-child(2)').allTextContents();
  assert.deepEqual(identities.sort(), ['root', 'userpass-alice', 'userpass-alice']);
  assert.ok(!(await page.content()).includes('hunter2'), 'no secret value in the trail');
  await rows.first().getByText('Entry').click();
  await rows.first().locator('pre').filter({ hasText: 'hmac-sha256:' }).waitFor();
  await screenshot(page, 'audit-1-one-secret');

  // Then one identity, across secrets.
  await page.getByLabel('Path prefix').fill('secret/data/app/');
  await page.getByLabel('Identity').fill('userpass-alice');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Audit entries"] tbody tr').length === 3);
  const paths = await rows.locator('td:nth-child(4)').evaluateAll((cells) => cells.map((c) => c.firstChild.textContent));
  assert.deepEqual(paths.sort(), ['secret/data/app/cache', 'secret/data/app/db', 'secret/data/app/db']);

  // The export holds exactly the filtered rows.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + 3, `a header and three rows:\n${lines.join('\n')}`);
  assert.ok(lines.slice(1).every((line) => line.includes('userpass-alice') && line.includes('secret/data/app/')));

  // Free text anywhere in the path: the cache secret's write and read.
  await page.getByLabel('Path prefix').fill('');
  await page.getByLabel('Identity').fill('');
  await page.getByLabel('Path contains').fill('cach');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL('**/ui/audit?**path_contains=cach**');
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Audit entries"] tbody tr').length === 2);
  const cached = await rows.locator('td:nth-child(2)').allTextContents();
  assert.deepEqual(cached.sort(), ['root', 'userpass-alice']);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('a user without audit rights sees no audit navigation and is refused the page', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInWithPassword(page, server, 'alice', 'correct horse');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).count(), 0);
  await page.goto(`${server.url}/ui/audit`);
  await page.getByRole('heading', { name: 'Access denied' }).waitFor();
  // The server function itself refuses her too.
  const res = await page.evaluate(async () => (await fetch('/ui/api/audit/search', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '',
  })).text());
  assert.match(res, /"status":403/);
  await context.close();
});

test('compliance reports: who accessed a secret, what an identity accessed, and who carried a value', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signInWithToken(page, server, rootToken);
  await page.goto(`${server.url}/ui/audit/reports`);
  await waitForHydration(page);

  await page.getByLabel('Secret path').fill('secret/data/app/db');
  await page.getByRole('button', { name: 'Show who' }).click();
  const who = page.getByRole('table', { name: 'Report by identity' });
  await who.waitFor();
  const whoRows = await who.locator('tbody tr').evaluateAll((rows) => rows.map((r) =>
    [...r.querySelectorAll('td')].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(whoRows.sort(), [['root', 'create', '1'], ['userpass-alice', 'read', '2']]);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const csv = readFileSync(await (await download).path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'identity,operations,requests,refused,first,last');
  assert.equal(csv.length, 3);
  await screenshot(page, 'audit-2-who-accessed');

  await page.getByRole('textbox', { name: 'Identity', exact: true }).fill('userpass-alice');
  await page.getByRole('button', { name: 'Show what' }).click();
  const what = page.getByRole('table', { name: 'Report by path' });
  await what.waitFor();
  const paths = await what.locator('tbody tr td:first-child').allTextContents();
  assert.ok(paths.includes('secret/data/app/db') && paths.includes('secret/data/app/cache'), paths.join(', '));

  // A value: never in the address, found by its hash.
  await page.getByLabel('Value', { exact: true }).fill('hunter2');
  await page.getByRole('button', { name: 'Find' }).click();
  const carried = page.getByRole('list', { name: 'Requests carrying the value' });
  await carried.waitFor();
  const found = await carried.locator('li').allTextContents();
  assert.equal(found.length, 3, found.join('\n'));
  assert.ok(found.every((line) => line.includes('secret/data/app/db')));
  assert.ok(!page.url().includes('hunter2'));
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('the audit pages fit a phone screen', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signInWithToken(page, server, rootToken);
  for (const path of ['/ui/audit', '/ui/audit/reports?path=secret%2Fdata%2Fapp%2Fdb', '/ui/audit/reports?identity=userpass-alice',
    '/ui/audit/advisor?policy=app-reader']) {
    const res = await page.goto(`${server.url}${path}`);
    assert.equal(res.status(), 200, path);
    await waitForHydration(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 390px`);
  }
  await context.close();
});
