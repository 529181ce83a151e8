// Shared pieces of the browser tests: a static server for dist/ on loopback and Debian's
// Chromium driven by playwright-core, with WebGPU on the SwiftShader software adapter.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built site served (EXPLR_DIST: another build, e.g. to measure an earlier one). */
const DIST = process.env.EXPLR_DIST || join(ROOT, 'dist');
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.json': 'application/json', '.png': 'image/png', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml',
};

/** The Content-Security-Policy that deployments send as a header (www/public/csp.txt). */
export const CSP = readFileSync(join(ROOT, 'www', 'public', 'csp.txt'), 'utf8').trim();

/**
 * Serves dist/ on 127.0.0.1 at a free port, as a deployment would (the CSP as a header), plus
 * `extra` pages ({'/path.html': html}, e.g. a blog post embedding the demo) or other files
 * ({'/path': {body, type}}); resolves to {origin, close}.
 */
export async function serve(extra = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      if (Object.prototype.hasOwnProperty.call(extra, path)) {
        const page = extra[path];
        res.writeHead(200, { 'content-type': typeof page === 'string' ? 'text/html' : page.type });
        res.end(typeof page === 'string' ? page : page.body);
        return;
      }
      let file = join(DIST, path);
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'content-security-policy': CSP });
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
 * that leaves `origin`; `init` (with `arg`), if given, runs before the page's own scripts.
 */
export async function open(browser, origin, url, init = null, arg = undefined) {
  const page = await browser.newPage();
  if (init) await page.addInitScript(init, arg);
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

/**
 * Records, in `window.__workers`, every Web Worker `page` creates: {url, at (ms from
 * navigation), ready (whether the page was ready then)}. Call before navigating.
 */
export function recordWorkers(page) {
  return page.addInitScript(() => {
    const workers = (window.__workers = []);
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        workers.push({ url: String(url), at: performance.now(), ready: document.body?.dataset.ready === '1' });
      }
    };
  });
}

/** Waits until the engine behind `page` (a page or a frame) is ready to train. */
export async function ready(page, timeout = 60000) {
  await page.waitForSelector('body[data-ready="1"]', { timeout });
}

/** Waits until the page has trained at least `steps` steps (checking every `polling` ms). */
export async function waitSteps(page, steps, timeout = 120000, polling = 200) {
  await page.waitForFunction((n) => Number(document.body.dataset.steps || 0) >= n, steps, { timeout, polling });
}

/** Plays until the page has trained at least `steps` steps, then pauses. */
export async function playFor(page, steps, timeout = 120000) {
  await page.click('#play');
  await waitSteps(page, steps, timeout);
  await page.click('#play');
}

/** Mean of an array of numbers. */
export const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;

/**
 * Elements whose box reaches past the right edge of the viewport (outside any element that
 * scrolls or clips horizontally), and the document's horizontal overflow in pixels.
 */
export function horizontalOverflow(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== 'visible') return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('[hidden], .sr-only')) continue;
      if (getComputedStyle(el).display === 'none' || clipped(el)) continue;
      if (r.right > vw + 1 || r.left < -1) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
    return { elements: out, scroll: document.documentElement.scrollWidth - vw };
  });
}

/**
 * Clicks `selector` with a real mouse event and resolves to the milliseconds from the input
 * event to the first animation frame after its handler ran: how long the page took to answer.
 */
export async function answerTime(page, selector) {
  await page.evaluate((sel) => {
    window.__answer = new Promise((resolve) => {
      document.querySelector(sel).addEventListener('click', (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }, { once: true, capture: true });
    });
  }, selector);
  await page.click(selector, { timeout: 120000 });
  return page.evaluate(() => window.__answer);
}

/** Sets the control `selector` to `value` as a person would: types it, then commits it (change). */
export async function setControl(page, selector, value) {
  await page.fill(selector, value);
  await page.$eval(selector, (e) => e.dispatchEvent(new Event('change', { bubbles: true })));
}

/**
 * Starts counting the frames `page` renders from now on; `frameWatch(page)` then resolves to
 * {frames, seconds, worstGapMs} since the start.
 */
export function startFrameWatch(page) {
  return page.evaluate(() => {
    const w = (window.__frameWatch = { frames: 0, t0: performance.now(), last: performance.now(), worst: 0 });
    const tick = (t) => {
      w.frames += 1;
      w.worst = Math.max(w.worst, t - w.last);
      w.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/**
 * The freeze scenario of a playing page: starts counting frames, sets η to 0.2 and, 1.5 s
 * later, to 0.05 (two restarts), and waits until the second run has trained 300 steps;
 * resolves to how long those 300 steps took (ms). `frameWatch(page)` then tells the frames.
 */
export async function twoQuickChanges(page, timeout = 120000) {
  await startFrameWatch(page);
  await setControl(page, '#eta', '0.2');
  await page.waitForTimeout(1500);
  const t0 = Date.now();
  await setControl(page, '#eta', '0.05');
  await waitSteps(page, 300, timeout, 50);
  return Date.now() - t0;
}

/** What startFrameWatch has counted: {frames, seconds, worstGapMs}. */
export function frameWatch(page) {
  return page.evaluate(() => {
    const w = window.__frameWatch;
    return { frames: w.frames, seconds: (w.last - w.t0) / 1000, worstGapMs: w.worst };
  });
}

/** Frames per second the page renders over `ms` milliseconds, and the longest gap between frames. */
export function frameRate(page, ms = 3000) {
  return page.evaluate((dur) => new Promise((resolve) => {
    let n = 0;
    let worst = 0;
    let prev = performance.now();
    const t0 = prev;
    const tick = (t) => {
      n += 1;
      worst = Math.max(worst, t - prev);
      prev = t;
      if (t - t0 < dur) requestAnimationFrame(tick);
      else resolve({ fps: (1000 * n) / (t - t0), worstGapMs: worst });
    };
    requestAnimationFrame(tick);
  }), ms);
}

/** The page's JavaScript heap in MB (after a garbage collection), through the DevTools protocol. */
export async function heapMB(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1e6;
}

/**
 * For a test file: serves dist/ (plus `extra` pages) and launches one Chromium (`options`)
 * before its tests, closing both after; resolves nothing, fills and returns {server, browser}.
 */
export function useBrowser(extra = {}, options = { webgpu: false }) {
  const ctx = { server: null, browser: null };
  before(async () => {
    ctx.server = await serve(extra);
    ctx.browser = await launch(options);
  });
  after(async () => {
    await ctx.browser.close();
    await ctx.server.close();
  });
  return ctx;
}
