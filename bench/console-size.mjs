// What a console's first page costs a browser: every response Chromium fetches to show
// it (HTML, CSS, JS, wasm, fonts, images), each body gzipped here at level 9 so both
// consoles are measured alike whatever their servers compress, plus the bytes that
// actually crossed the wire.
//
//   node bench/console-size.mjs <name> <url> [<name> <url> ...]
import { gzipSync } from 'node:zlib';
import { launch } from '../end2end/support/browser.mjs';

const args = process.argv.slice(2);
const browser = await launch();
const rows = [];
for (let i = 0; i + 1 < args.length; i += 2) {
  const [name, url] = [args[i], args[i + 1]];
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let wire = 0;
  cdp.on('Network.loadingFinished', (e) => { wire += e.encodedDataLength; });
  const bodies = [];
  page.on('response', async (res) => {
    try { bodies.push({ url: res.url(), body: await res.body() }); } catch { /* redirects have none */ }
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.waitForTimeout(500);
  const raw = bodies.reduce((n, b) => n + b.body.length, 0);
  const gzip = bodies.reduce((n, b) => n + gzipSync(b.body, { level: 9 }).length, 0);
  rows.push({ name, requests: bodies.length, raw, gzip, wire });
  await context.close();
}
await browser.close();
const kib = (n) => (n / 1024).toFixed(1);
console.log('console            requests   raw KiB  gzip KiB  wire KiB');
for (const r of rows) {
  console.log(`${r.name.padEnd(18)} ${String(r.requests).padStart(8)} ${kib(r.raw).padStart(9)} ${kib(r.gzip).padStart(9)} ${kib(r.wire).padStart(9)}`);
}
if (rows.length === 2) console.log(`ratio (gzip): ${(rows[0].gzip / rows[1].gzip).toFixed(3)}`);
