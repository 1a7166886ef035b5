// The auditor's tools beyond the trail, in Chromium: hvac produces traffic, the advisor
// flags a rule nobody used and lists the denied request; the live tail shows a new
// request without a reload; the tokens page lists who holds a token and revokes one;
// the leases page walks to a sign-in's lease and revokes it, then a whole prefix;
// staleness orders a mount's secrets. A user without the rights reaches none of the
// pages nor their server functions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import { startServer } from '../support/server.mjs';
import { launch, screenshot, waitForHydration } from '../support/browser.mjs';
import { apiClient, initAndUnseal, signInWithPassword, signInWithToken, statusOf } from '../support/arcanum.mjs';

let server;
let browser;
let rootToken;
let api;
let bobToken;

/** Runs `script` in Python with hvac, `client` signed in as `token` at the server. */
function hvac(token, script) {
  const program = `import hvac\nclient = hvac.Client(url=${JSON.stringify(server.url)}, token=${JSON.stringify(token)})\n${script}`;
  return execFileSync('python3', ['-c', program], { encoding: 'utf8' });
}

before(async () => {
  server = await startServer();
  browser = await launch();
  rootToken = await initAndUnseal(server);
  api = apiClient(server, rootToken);
  await api('PUT', 'sys/audit/trail', { type: 'database' });
  await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  await api('POST', 'sys/auth/userpass', { type: 'userpass' });
  // A seeded policy: the first rule is used below, the second never.
  await api('PUT', 'sys/policies/acl/billing', {
    policy: 'path "secret/data/billing/*" {\n  capabilities = ["read", "update"]\n}\n'
      + 'path "secret/data/legacy/*" {\n  capabilities = ["read"]\n}\n',
  });
  await api('POST', 'auth/userpass/users/bob', { password: 'bobs password', token_policies: 'billing' });
  hvac(rootToken, [
    "client.secrets.kv.v2.create_or_update_secret(path='billing/stripe', secret={'key': 'sk_1'})",
    "client.secrets.kv.v2.create_or_update_secret(path='billing/stripe', secret={'key': 'sk_2'})",
    "client.secrets.kv.v2.create_or_update_secret(path='billing/paypal', secret={'key': 'pp'})",
  ].join('\n'));
  // Bob signs in through hvac, reads what his policy grants, and is denied one path.
  bobToken = hvac('', [
    "client.auth.userpass.login(username='bob', password='bobs password')",
    "client.secrets.kv.v2.read_secret_version(path='billing/stripe', raise_on_deleted_version=True)",
    'try:',
    "    client.secrets.kv.v2.read_secret_version(path='payroll/alice', raise_on_deleted_version=True)",
    '    raise SystemExit("bob read payroll")',
    'except hvac.exceptions.Forbidden:',
    '    pass',
    'print(client.token, end="")',
  ].join('\n'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the advisor flags the rule nobody used and the request the policy saw denied', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signInWithToken(page, server, rootToken);
  await page.goto(`${server.url}/ui/audit`);
  await page.getByRole('link', { name: 'Least-privilege advisor' }).click();
  await waitForHydration(page);
  await page.getByLabel('Policy').fill('billing');
  await page.getByRole('button', { name: 'Weigh the policy' }).click();
  await page.waitForURL('**/ui/audit/advisor?**policy=billing**');
  const rules = page.getByRole('table', { name: 'Rules and their use' });
  await rules.waitFor();
  const rows = await rules.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    unused: tr.dataset.unused,
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
  })));
  assert.deepEqual(rows.map((r) => [r.cells[0], r.unused]), [
    ['secret/data/billing/*', 'false'],
    ['secret/data/legacy/*', 'true'],
  ]);
  assert.equal(rows[0].cells[2], '1', 'bob read once');
  assert.match(rows[0].cells[4], /never: update/);
  assert.match(rows[1].cells[4], /Unused: a candidate to remove/);
  await page.getByRole('status').filter({ hasText: '1 rule of billing was not used in the last 30 days.' }).waitFor();
  const denied = await page.getByRole('table', { name: 'Denied requests' }).locator('tbody tr td:first-child').allTextContents();
  assert.deepEqual(denied, ['secret/data/payroll/alice']);
  await screenshot(page, 'auditor-1-advisor');
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('the live tail shows a new request without a reload', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithToken(page, server, rootToken);
  await page.goto(`${server.url}/ui/audit?path_prefix=secret%2Fdata%2Flive`);
  await waitForHydration(page);
  await page.getByText('No entry matches these filters.').waitFor();
  await page.getByLabel('Live (newest entries, every 3 s)').check();
  await api('POST', 'secret/data/live/one', { data: { k: 'v' } });
  const table = page.getByRole('table', { name: 'Audit entries' });
  await table.locator('tbody tr').filter({ hasText: 'secret/data/live/one' }).first().waitFor({ timeout: 10_000 });
  assert.ok(await page.getByLabel('Live (newest entries, every 3 s)').isChecked(), 'still live after the refresh');
  // Text being typed into a filter survives the refreshes.
  await page.getByLabel('Identity').fill('half-typed');
  await api('POST', 'secret/data/live/two', { data: { k: 'v' } });
  await table.locator('tbody tr').filter({ hasText: 'secret/data/live/two' }).first().waitFor({ timeout: 10_000 });
  assert.equal(await page.getByLabel('Identity').inputValue(), 'half-typed');
  await page.close();
});

test('the tokens page lists who holds a token and revokes one with its children', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithToken(page, server, rootToken);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tokens' }).click();
  const table = page.getByRole('table', { name: 'Tokens' });
  await table.waitFor();
  const bob = table.locator('tbody tr').filter({ hasText: 'userpass-bob' });
  assert.equal(await bob.count(), 1);
  const cells = await bob.locator('td').allTextContents();
  assert.match(cells[1], /billing/);
  assert.match(cells[4], /auth\/userpass\/login\/bob/);
  assert.ok(!(await page.content()).includes(bobToken), 'the token itself is never on the page');
  await screenshot(page, 'auditor-2-tokens');

  assert.equal(await statusOf(server, bobToken, 'auth/token/lookup-self'), 200);
  await waitForHydration(page);
  await bob.getByRole('button', { name: 'Revoke userpass-bob' }).click();
  await bob.getByRole('button', { name: 'Revoke', exact: true }).click();
  await table.locator('tbody tr').filter({ hasText: 'userpass-bob' }).waitFor({ state: 'detached' });
  assert.equal(await statusOf(server, bobToken, 'auth/token/lookup-self'), 403);
  await page.close();
});

test('staleness puts the secret changed longest ago first, with its versions', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithToken(page, server, rootToken);
  await page.getByRole('link', { name: 'Staleness of secret/' }).click();
  const table = page.getByRole('table', { name: 'Secrets by staleness' });
  await table.waitFor();
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const paths = rows.map((r) => r[0]);
  assert.deepEqual(paths.slice(0, 2), ['billing/stripe', 'billing/paypal'], 'stripe last changed before paypal');
  assert.equal(rows[0][3], '2', 'stripe is at version 2');
  assert.equal(rows[0][4], '2');
  assert.equal(rows[0][2], 'today');
  await screenshot(page, 'auditor-3-staleness');
  await page.close();
});

test('the leases page lists a sign-in lease by path, revokes it, and revokes a prefix', async () => {
  await api('POST', 'auth/userpass/users/dave', { password: 'daves password', token_policies: 'billing' });
  const login = async () => (await api('POST', 'auth/userpass/login/dave', { password: 'daves password' })).auth.client_token;
  const daveToken = await login();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInWithToken(page, server, rootToken);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leases' }).click();
  const folders = page.getByRole('list', { name: 'Lease folders' });
  for (const folder of ['auth/', 'userpass/', 'login/', 'dave/']) {
    await folders.getByRole('link', { name: folder, exact: true }).click();
    await page.getByRole('navigation', { name: 'Lease path' }).getByText(folder, { exact: true }).waitFor();
  }
  const table = page.getByRole('table', { name: 'Leases' });
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 1, 'one sign-in, one lease');
  const cells = await table.locator('tbody tr td').allTextContents();
  assert.match(cells[3], /^3[12]d \d+h$/, 'the time left: userpass tokens last 32 days by default');
  assert.ok(!(await page.content()).includes(daveToken), 'the token itself is never on the page');
  await screenshot(page, 'auditor-4-leases');

  await waitForHydration(page);
  await table.getByRole('button', { name: /^Revoke lease / }).click();
  await table.getByRole('button', { name: 'Revoke', exact: true }).click();
  await page.getByText('No leases here.').waitFor();
  assert.equal(await statusOf(server, daveToken, 'auth/token/lookup-self'), 403, 'revoking the lease revoked the token');

  // Two more sign-ins, revoked together by typing their prefix.
  const tokens = [await login(), await login()];
  await page.reload();
  await table.locator('tbody tr').nth(1).waitFor();
  await waitForHydration(page);
  const confirm = page.getByLabel('Type auth/userpass/login/dave/ to confirm');
  await confirm.fill('auth/');
  await page.getByRole('button', { name: 'Revoke all' }).click();
  await page.getByText('Type auth/userpass/login/dave/ to confirm.').waitFor();
  assert.equal(await statusOf(server, tokens[0], 'auth/token/lookup-self'), 200, 'a wrong confirmation revokes nothing');
  await confirm.fill('auth/userpass/login/dave/');
  await page.getByRole('button', { name: 'Revoke all' }).click();
  await page.getByText('No leases here.').waitFor();
  for (const token of tokens) {
    assert.equal(await statusOf(server, token, 'auth/token/lookup-self'), 403);
  }
  await page.close();
});

test('a user without the rights reaches neither the pages nor their server functions', async () => {
  await api('POST', 'auth/userpass/users/carol', { password: 'carols password', token_policies: 'billing' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInWithPassword(page, server, 'carol', 'carols password');
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Tokens' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Audit' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Leases' }).count(), 0);
  for (const path of ['/ui/tokens', '/ui/leases', '/ui/audit/advisor?policy=billing']) {
    await page.goto(`${server.url}${path}`);
    await page.getByRole('heading', { name: 'Access denied' }).waitFor();
  }
  const call = (endpoint, body) => page.evaluate(async ([endpoint, body]) => (await fetch(`/ui/api/${endpoint}`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body,
  })).text(), [endpoint, body]);
  const accessor = (await api('POST', 'auth/token/lookup', { token: rootToken })).data.accessor;
  const daveToken = (await api('POST', 'auth/userpass/login/dave', { password: 'daves password' })).auth.client_token;
  for (const [endpoint, body] of [
    ['audit/policy-advice', 'policy=billing&days=30'],
    ['tokens/list', ''],
    ['tokens/revoke', `accessor=${accessor}`],
    ['leases/list', 'prefix=auth/'],
    ['leases/revoke-prefix', 'prefix=auth/userpass/&confirm=auth/userpass/'],
  ]) {
    assert.match(await call(endpoint, body), /"status":403/, endpoint);
  }
  assert.equal(await statusOf(server, rootToken, 'auth/token/lookup-self'), 200, 'the root token survived');
  assert.equal(await statusOf(server, daveToken, 'auth/token/lookup-self'), 200, 'and so did a sign-in under auth/userpass/');
  await context.close();
});
