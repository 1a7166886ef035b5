// What the console tests do to a server besides clicking: initialise and unseal it
// through the API, call the API as root, and sign a page in with a token.
import { waitForHydration } from './browser.mjs';

/** Initialise `server` with one key share and unseal it; answers the root token. */
export async function initAndUnseal(server) {
  const init = await (await fetch(`${server.url}/v1/sys/init`, {
    method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }),
  })).json();
  await fetch(`${server.url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key: init.keys_base64[0] }) });
  return init.root_token;
}

/** An API client for `server` as `token`: `api(method, path, body)` answers the JSON
 *  body (null for 204) and throws on an error status. */
export function apiClient(server, token) {
  return async (method, path, body) => {
    const res = await fetch(`${server.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
}

/** The HTTP status of `GET /v1/<path>` as `token`. */
export async function statusOf(server, token, path) {
  return (await fetch(`${server.url}/v1/${path}`, { headers: { 'X-Vault-Token': token } })).status;
}

/** Sign `page` in with `token` through the sign-in page; ends on the secrets page. */
export async function signInWithToken(page, server, token) {
  await page.goto(`${server.url}/ui/sign-in`);
  await waitForHydration(page);
  await page.getByRole('tab', { name: 'Token' }).click();
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/ui/secrets');
}

/** Sign `page` in as a userpass user through the sign-in page; ends on the secrets page. */
export async function signInWithPassword(page, server, username, password) {
  await page.goto(`${server.url}/ui/sign-in`);
  await waitForHydration(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/ui/secrets');
}
