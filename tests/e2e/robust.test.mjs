// Whatever a browser reports, the page opens, trains and says what it lacks (headless
// Chromium, told otherwise by init scripts): a locale Intl rejects ('C', as WebKit reports
// under LANG=C.UTF-8; 'POSIX'; empty), navigator.gpu null (WebKit with WebGPU switched on) or
// missing, navigator.hardwareConcurrency missing, no requestIdleCallback; no animation frames
// for seconds (Firefox gives none while it compiles WebGPU shaders); reduced motion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, ready, useBrowser, waitSteps } from './harness.mjs';

const ctx = useBrowser();

/** Opens `url` with `patch` (run before the page's scripts) and trains 20 steps. */
async function opensAndTrains(url, patch, arg) {
  const { page, log } = await open(ctx.browser, ctx.server.origin, url, patch, arg);
  await ready(page);
  await page.click('#step');
  await waitSteps(page, 1);
  const messages = await page.textContent('#messages');
  await page.close();
  return { errors: log.errors, messages };
}

for (const language of ['C', 'POSIX', '']) {
  test(`a browser reporting navigator.language = '${language}' gets the page, which trains`, async () => {
    const { errors } = await opensAndTrains('/?backend=cpu', (lang) => {
      Object.defineProperty(Navigator.prototype, 'language', { get: () => lang, configurable: true });
    }, language);
    assert.deepEqual(errors, []);
  });
}

test('navigator.gpu null (WebKit with WebGPU switched on): auto trains on the CPU, a forced WebGPU says why', async () => {
  const patch = () => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => null, configurable: true });
  const auto = await opensAndTrains('/', patch);
  assert.deepEqual(auto.errors, []);
  const forced = await opensAndTrains('/?backend=webgpu', patch);
  assert.deepEqual(forced.errors, []);
  assert.match(forced.messages, /WebGPU/i, `the page says what it lacks: ${forced.messages}`);
});

test('no navigator.hardwareConcurrency, no requestIdleCallback: the page opens and trains', async () => {
  const { errors } = await opensAndTrains('/?backend=cpu', () => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => undefined, configurable: true });
    delete window.requestIdleCallback;
  });
  assert.deepEqual(errors, []);
});

test('no animation frames for 3 s (Firefox compiling WebGPU shaders): the run goes on and is drawn', async (t) => {
  // Frames asked for while window.__holdFrames is set are held back until it is cleared.
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=20', () => {
    const raf = window.requestAnimationFrame.bind(window);
    const held = [];
    window.requestAnimationFrame = (cb) => (window.__holdFrames ? held.push(cb) : raf(cb));
    window.__releaseFrames = () => {
      window.__holdFrames = false;
      held.splice(0).forEach((cb) => raf(cb));
    };
  });
  await ready(page);
  await page.click('#play');
  await waitSteps(page, 50);
  const shown = () => page.evaluate(() => Number(document.body.dataset.steps));
  await page.evaluate(() => (window.__holdFrames = true));
  await page.waitForTimeout(300);
  const s0 = await shown();
  await page.waitForTimeout(3000);
  const s1 = await shown();
  await page.evaluate(() => window.__releaseFrames());
  await page.click('#play');
  await page.close();
  // Drawn from a timer every 100 ms, 20 steps a message, two messages ahead: ≈ 1 000 steps in
  // 3 s on an idle machine; without the timer, none (the worker waits for acknowledgements).
  t.diagnostic(`${s1 - s0} steps in 3 s without animation frames`);
  assert.ok(s1 - s0 >= 100, `${s1 - s0} steps trained and shown in 3 s without animation frames`);
  assert.deepEqual(log.errors, []);
});

test('reduced motion asked for: the page says so to its styles and trains', async () => {
  const context = await ctx.browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${ctx.server.origin}/?backend=cpu`);
  await ready(page);
  await page.click('#step');
  await waitSteps(page, 1);
  assert.ok(await page.evaluate(() => document.body.classList.contains('reduced-motion')));
  assert.deepEqual(errors, []);
  await context.close();
});
