// Whatever a browser reports, the page opens, trains and says what it lacks (headless
// Chromium, told otherwise by init scripts): a locale Intl rejects ('C', as WebKit reports
// under LANG=C.UTF-8; 'POSIX'; empty), navigator.gpu null (WebKit with WebGPU switched on) or
// missing, navigator.hardwareConcurrency missing, no requestIdleCallback.
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
