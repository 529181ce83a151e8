// Shared pieces of the browser tests: a static server for dist/ on loopback and Debian's
// Chromium driven by playwright-core, with WebGPU on the SwiftShader software adapter.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.json': 'application/json', '.png': 'image/png', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml',
};

/**
 * Serves dist/ on 127.0.0.1 at a free port, plus `extra` pages ({'/path.html': html}, e.g. a
 * host page for the embed); resolves to {origin, close}.
 */
export async function serve(extra = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      if (Object.prototype.hasOwnProperty.call(extra, path)) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(extra[path]);
        return;
      }
      let file = join(DIST, path);
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const BASE_FLAGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-webgpu-developer-features', '--use-webgpu-adapter=swiftshader'];

/** Launches headless Chromium; `webgpu: false` leaves WebGPU off (no adapter). */
export function launch({ webgpu = true } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? WEBGPU_FLAGS : [])],
  });
}

/**
 * Opens `url` in a new page that records console errors, uncaught errors and every request
 * that leaves `origin`.
 */
export async function open(browser, origin, url) {
  const page = await browser.newPage();
  const log = { errors: [], foreign: [], console: [] };
  page.on('console', (m) => {
    log.console.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) log.foreign.push(u);
  });
  await page.goto(`${origin}${url}`);
  return { page, log };
}

/** Runs `fn(browser)` in a freshly launched Chromium (`launch` options), closing it after. */
export async function withBrowser(options, fn) {
  const browser = await launch(options);
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** Waits until the engine behind `page` (a page or a frame) is ready to train. */
export async function ready(page, timeout = 60000) {
  await page.waitForSelector('body[data-ready="1"]', { timeout });
}

/** Waits until the page has trained at least `steps` steps. */
export async function waitSteps(page, steps, timeout = 120000) {
  await page.waitForFunction((n) => Number(document.body.dataset.steps || 0) >= n, steps, { timeout, polling: 200 });
}

/** Plays until the page has trained at least `steps` steps, then pauses. */
export async function playFor(page, steps, timeout = 120000) {
  await page.click('#play');
  await waitSteps(page, steps, timeout);
  await page.click('#play');
}

/** Mean of an array of numbers. */
export const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
