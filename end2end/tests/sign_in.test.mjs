// Sign-in and the shell in Chromium: by token and by userpass, navigation built from
// the user's policies, the access-denied page on a forbidden URL, and sign-out. The
// token stays on the server: the browser holds an HttpOnly, SameSite=Strict cookie.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../support/server.mjs';
import { launch, screenshot, waitForHydration } from '../support/browser.mjs';
import { apiClient, initAndUnseal } from '../support/arcanum.mjs';

let server;
let browser;
let rootToken;
let api;

before(async () => {
  server = await startServer();
  browser = await launch();
  rootToken = await initAndUnseal(server);
  api = apiClient(server, rootToken);
  await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' }, description: 'Team secrets' });
  await api('POST', 'sys/mounts/ops', { type: 'kv', options: { version: '2' } });
  await api('POST', 'sys/auth/userpass', { type: 'userpass' });
  await api('PUT', 'sys/policies/acl/reader', {
    policy: 'path "secret/*" { capabilities = ["read", "list"] }',
  });
  await api('POST', 'auth/userpass/users/alice', { password: 'correct horse', token_policies: 'reader' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an administrator signs in with a token and sees every section', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  await page.goto(`${server.url}/ui`);
  await page.waitForURL('**/ui/sign-in');
  await waitForHydration(page);
  await page.getByRole('tab', { name: 'Token' }).click();
  await page.getByLabel('Token').fill('s.not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();

  await page.getByLabel('Token').fill(rootToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/ui/secrets');
  await page.getByRole('heading', { name: 'Secrets' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const section of ['Secrets', 'Mounts', 'Policies']) {
    await nav.getByRole('link', { name: section }).waitFor();
  }
  await page.getByTestId('identity').filter({ hasText: 'root' }).waitFor();
  await page.getByTestId('seal-status').filter({ hasText: 'Unsealed' }).waitFor();
  await screenshot(page, 'console-1-secrets-admin');

  await nav.getByRole('link', { name: 'Mounts' }).click();
  const engines = page.getByRole('table', { name: 'Secret engines' });
  await engines.getByRole('cell', { name: 'secret/', exact: true }).waitFor();
  await engines.getByRole('cell', { name: 'Team secrets' }).waitFor();
  await page.getByRole('table', { name: 'Auth methods' }).getByRole('cell', { name: 'userpass/', exact: true }).waitFor();
  await screenshot(page, 'console-2-mounts');

  await nav.getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('list', { name: 'ACL policies' }).getByText('reader').waitFor();

  // The session cookie is invisible to scripts and never sent cross-site; the token is
  // nowhere in the page.
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'arcanum_session');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/ui');
  assert.ok(!(await page.content()).includes(rootToken), 'the token is not in the HTML');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/ui/sign-in');
  await page.goto(`${server.url}/ui/mounts`);
  await page.waitForURL('**/ui/sign-in');
  // A token the user brought in is theirs: signing out does not revoke it.
  await api('GET', 'auth/token/lookup-self');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a limited user sees only what their policies allow', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/ui/sign-in`);
  await waitForHydration(page);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'invalid username or password' }).waitFor();
  await screenshot(page, 'console-3-sign-in-error');

  await page.getByLabel('Password').fill('correct horse');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/ui/secrets');
  await page.getByTestId('identity').filter({ hasText: 'userpass-alice' }).waitFor();
  const engines = page.getByRole('list', { name: 'Secret engines' });
  await engines.getByText('secret/').waitFor();
  assert.equal(await engines.getByText('ops/').count(), 0, 'a mount her policies do not open is not listed');
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Secrets', 'Seal']);
  await screenshot(page, 'console-4-secrets-limited');

  const denied = await page.goto(`${server.url}/ui/mounts`);
  assert.equal(denied.status(), 403);
  await page.getByRole('heading', { name: 'Access denied' }).waitFor();
  await screenshot(page, 'console-5-forbidden');

  // Her token was made for this session: sign-out revokes it.
  const accessors = async () => (await api('LIST', 'auth/token/accessors')).data.keys.length;
  const before = await accessors();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/ui/sign-in');
  assert.equal(await accessors(), before - 1);
  await context.close();
});

test('the signed-in shell works at phone width', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/ui/sign-in`);
  await waitForHydration(page);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('correct horse');
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL('**/ui/secrets');
  await page.getByRole('list', { name: 'Secret engines' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling at 390px');
  await screenshot(page, 'console-6-phone');
  await context.close();
});
