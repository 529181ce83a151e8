// End-to-end: the served page loads, the worker starts, the badge names the backend, metrics
// arrive and the loss goes down; with WebGPU off, the CPU fallback trains instead; a lost
// WebGPU device is reported and training goes on on the CPU from where it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mean, open, playFor, ready, serve, waitSteps, withBrowser } from './harness.mjs';

let server;
before(async () => {
  server = await serve();
});
after(async () => {
  await server.close();
});

async function lossCurve(page) {
  return page.evaluate(() => window.__explr.history.map((s) => s.runs[0].loss));
}

test('trains on WebGPU (software adapter) and the loss decreases', async () => {
  await withBrowser({ webgpu: true }, async (browser) => {
    const { page, log } = await open(browser, server.origin, '/?backend=webgpu&speed=10&dataset=blobs');
    await ready(page, 120000);
    const badge = await page.textContent('#badge');
    console.log(`badge: ${badge}`);
    assert.match(badge, /^WebGPU/);
    await playFor(page, 40, 240000);
    const loss = await lossCurve(page);
    const first = mean(loss.slice(0, 5));
    const last = mean(loss.slice(-5));
    console.log(`WebGPU: ${loss.length} steps, loss ${first.toFixed(4)} → ${last.toFixed(4)}`);
    assert.ok(last < first, `loss should decrease: ${first} → ${last}`);
    const b = await page.evaluate(() => window.__explr.history.at(-1).runs[1]);
    assert.ok(b.rel_weight_error < 1e-4, `twin drift on WebGPU: ${b.rel_weight_error}`);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.foreign, []);
  });
});

test('without WebGPU the CPU fallback trains, with a notice', async () => {
  await withBrowser({ webgpu: false }, async (browser) => {
    const { page, log } = await open(browser, server.origin, '/?speed=20');
    await ready(page);
    assert.match(await page.textContent('#badge'), /^CPU/);
    assert.match(await page.textContent('#messages'), /WebGPU is not available/);
    await playFor(page, 100, 60000);
    const loss = await lossCurve(page);
    const first = mean(loss.slice(0, 10));
    const last = mean(loss.slice(-10));
    console.log(`CPU: ${loss.length} steps, loss ${first.toFixed(4)} → ${last.toFixed(4)}`);
    assert.ok(last < first);
    assert.deepEqual(log.errors, []);
  });
});

test('auto picks the CPU when the only WebGPU adapter is a software one, and says so', async () => {
  await withBrowser({ webgpu: true }, async (browser) => {
    const { page, log } = await open(browser, server.origin, '/');
    await ready(page);
    assert.match(await page.textContent('#badge'), /^CPU/);
    assert.match(await page.textContent('#messages'), /software WebGPU adapter/);
    assert.deepEqual(log.errors, []);
  });
});

test('a lost WebGPU device is reported; the page replays the run on the CPU and goes on', async () => {
  await withBrowser({ webgpu: true }, async (browser) => {
    const { page, log } = await open(browser, server.origin, '/?backend=webgpu&speed=4&dataset=blobs');
    await ready(page, 120000);
    assert.match(await page.textContent('#badge'), /^WebGPU/);
    await playFor(page, 8, 240000);
    const done = await page.evaluate(() => window.__explr.history.at(-1).step);
    const gpuLoss = await lossCurve(page);
    await page.evaluate(() => window.__explr.loseDevice());
    await page.waitForSelector('#badge[data-backend="cpu"]', { timeout: 60000 });
    const text = await page.textContent('#messages');
    assert.match(text, /WebGPU device was lost \(destroyed/);
    assert.match(text, new RegExp(`Replaying the ${done} steps`));
    await waitSteps(page, done, 60000);
    const replay = await page.evaluate(() => window.__explr.history.map((s) => s.step));
    assert.deepEqual(replay.slice(0, done), Array.from({ length: done }, (_, i) => i + 1));
    // Same seed, same batches: the CPU replay retraces the WebGPU losses to f32 rounding.
    const cpuLoss = await lossCurve(page);
    for (let i = 0; i < done; i += 1) assert.ok(Math.abs(cpuLoss[i] - gpuLoss[i]) < 1e-4, `step ${i + 1}: ${cpuLoss[i]} vs ${gpuLoss[i]}`);
    await playFor(page, done + 30, 60000);
    assert.equal(await page.evaluate(() => document.body.dataset.ready), '1');
    assert.deepEqual(log.errors.filter((e) => e.startsWith('uncaught')), []);
  });
});
