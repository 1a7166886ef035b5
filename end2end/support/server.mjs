// Start a real `arcanum` process for a test: its own config, SQLite file and port.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
export const binary = process.env.ARCANUM_BIN ?? join(root, 'target', 'debug', 'arcanum');
const uiRoot = process.env.ARCANUM_UI_ROOT ?? join(root, 'target', 'site');

// Ports below Linux's ephemeral range (32768+), which outgoing connections draw from,
// so a port found free here is not taken by a client socket before the server binds it.
function portIsFree(port) {
  return new Promise((ok) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

async function freePort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port in 20000-31999');
}

async function waitForHealth(url, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`arcanum exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/v1/sys/health`);
      if (res.status >= 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`arcanum did not answer at ${url} within 30 s`);
}

/** Start an uninitialised server with SQLite storage and the console on. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'arcanum-e2e-'));
  const port = await freePort();
  const config = join(dir, 'config.hcl');
  writeFileSync(config, `
storage "sqlite" { path = "${join(dir, 'arcanum.db')}" }
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
ui = true
`);
  const log = [];
  const child = spawn(binary, ['server', '--config', config], {
    env: { ...process.env, ARCANUM_UI_ROOT: uiRoot, ARCANUM_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => log.push(d.toString()));
  child.stderr.on('data', (d) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${log.join('')}`);
  }
  return {
    url,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
