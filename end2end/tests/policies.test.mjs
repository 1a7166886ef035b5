// The policy workbench in Chromium: a policy with a mistake is flagged at its line and
// not saved; the fixed one is reviewed against the saved text and saved; the simulator
// shows a denied request with the rule that decided.
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

const stored = (name) => statusOf(server, rootToken, `sys/policies/acl/${name}`);

test('write a policy, see its mistake at the right line, review, save, and simulate', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await signInWithToken(page, server, rootToken);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('link', { name: 'New policy' }).click();
  await page.getByRole('heading', { name: 'New policy' }).waitFor();
  // A lazy page can render once more as its code and data settle.
  await page.waitForTimeout(300);
  await page.getByLabel('Name').fill('team-reader');
  const broken = [
    '# Read the team\'s secrets',
    'path "secret/data/team/*" {',
    '  capabilities = ["read"]',
    '}',
    'path "secret/metadata/team/*" {',
    '  capabilities = ["list", "reed"]',
    '}',
  ].join('\n');
  await page.getByLabel('Policy (HCL or JSON)').fill(broken);
  await page.getByRole('button', { name: 'Save' }).click();
  const problem = page.getByTestId('policy-problem');
  await problem.filter({ hasText: 'Line 6' }).waitFor();
  assert.match(await problem.textContent(), /reed/);
  assert.equal(await page.locator('[data-problem="true"]').getAttribute('data-line'), '6');
  assert.equal(await stored('team-reader'), 404, 'a policy that does not parse is not saved');
  await screenshot(page, 'policies-1-error-at-line');

  // Fixed: review against the (empty) saved text, then save.
  await page.getByLabel('Policy (HCL or JSON)').fill(broken.replace('"reed"', '"read"'));
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByText('The policy parses.').waitFor();
  assert.equal(await page.getByTestId('policy-problem').count(), 0);
  await page.getByRole('button', { name: 'Review changes' }).click();
  await page.getByRole('table', { name: 'Differences' }).locator('tr[data-changed="true"]').first().waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL('**/ui/policies/edit?name=team-reader');
  assert.equal(await stored('team-reader'), 200);

  // An edit, reviewed side by side against the saved version.
  await waitForHydration(page);
  await page.getByLabel('Policy (HCL or JSON)').fill(broken.replace('"reed"', '"read"').replace('["read"]', '["read", "update"]'));
  await page.getByRole('button', { name: 'Review changes' }).click();
  const changed = page.getByRole('table', { name: 'Differences' }).locator('tr[data-changed="true"]');
  await changed.filter({ hasText: '["read"]' }).filter({ hasText: '["read", "update"]' }).waitFor();
  await screenshot(page, 'policies-2-review');

  // The simulator: an update under a rule that only reads is denied by that rule.
  await page.goto(`${server.url}/ui/policies/simulate`);
  await waitForHydration(page);
  await page.getByLabel('Policies (comma-separated)').fill('team-reader');
  await page.getByLabel('Path').fill('secret/data/team/db');
  await page.getByLabel('Operation').selectOption('update');
  await page.getByRole('button', { name: 'Simulate' }).click();
  const decision = page.getByTestId('decision');
  await decision.getByRole('heading', { name: 'Denied' }).waitFor();
  assert.equal(await page.getByTestId('deciding-rule').textContent(), 'path "secret/data/team/*" (prefix)');
  await screenshot(page, 'policies-3-simulator');

  await page.getByLabel('Operation').selectOption('read');
  await page.getByRole('button', { name: 'Simulate' }).click();
  await decision.getByRole('heading', { name: 'Allowed' }).waitFor();

  // For a person: the policies their userpass sign-in grants (and default).
  await api('POST', 'sys/auth/userpass', { type: 'userpass' });
  await api('POST', 'auth/userpass/users/bob', { password: 'pw', token_policies: 'team-reader' });
  await page.getByLabel('A person (userpass user)').check();
  await page.getByLabel('Username (or mount/username)').fill('bob');
  await page.getByLabel('Operation').selectOption('update');
  await page.getByRole('button', { name: 'Simulate' }).click();
  await decision.getByRole('heading', { name: 'Denied' }).waitFor();
  await decision.getByText('team-reader, default').waitFor();
  await page.getByLabel('Username (or mount/username)').fill('nobody');
  await page.getByRole('button', { name: 'Simulate' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is no user nobody' }).waitFor();

  assert.deepEqual(pageErrors, []);
  await page.close();
});
