// The page in every browser engine, beside the Chromium suite (tests/e2e): Firefox (Gecko) and
// WebKit (Safari's engine, run under a C locale on purpose). In each: the default page becomes
// ready and trains; the twins are exact in f64 in the page (angle ≤ 1e-12 over 300 steps); a
// malformed link gets its message; lecture mode at 1280×720 and the embed at 700 px have no
// horizontal overflow; a tour scene states its claim from the engine's numbers; the hostile
// links and extreme configurations of the Chromium suite (tests/e2e/hostile.mjs) give no
// uncaught error, no NaN on screen and no foreign request. Firefox with WebGPU (lavapipe):
// bringing WebGPU up with a cold shader cache never holds up the CPU run, a forced WebGPU run
// is not bound by Firefox's 100 ms completion timer, and a run moved CPU → WebGPU → CPU
// matches one that never moved. Each engine's version is printed with its figures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../e2e/harness.mjs';
import { brokenText, extremeLinks, foreignRequests, malformedLinks, trainedOrStopped } from '../e2e/hostile.mjs';
import { firefox, webkit } from './drivers.mjs';

const ready = (d) => d.waitFor(() => document.body.dataset.ready === '1', null, 90000);
const steps = (d) => d.eval(() => Number(document.body.dataset.steps || 0));
const overflow = (d) => d.eval(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const [name, launch] of [['Firefox', firefox], ['WebKit', webkit]]) {
  describe(name, () => {
    let server;
    let d;
    before(async () => {
      server = await serve();
      d = await launch();
      console.log(`${name} ${d.version}`);
    });
    after(async () => {
      await d?.close();
      await server?.close();
    });

    test(`${name}: the default page becomes ready and trains, with no uncaught error`, async () => {
      await d.goto(`${server.origin}/?backend=cpu`);
      await ready(d);
      // What the browser reports, under the page's fallback (WebKit under LANG=C says 'C').
      const language = await d.eval(() => Object.getOwnPropertyDescriptor(Navigator.prototype, 'language').get.call(navigator));
      await d.click('#step');
      await d.waitFor(() => Number(document.body.dataset.steps || 0) >= 1);
      const page = await d.eval(() => ({ badge: document.getElementById('badge').textContent, messages: document.getElementById('messages').textContent }));
      console.log(`${name}: reports navigator.language '${language}'; ${page.badge}`);
      assert.match(page.badge, /CPU/);
      assert.doesNotMatch(page.messages, /could not load/);
      assert.deepEqual(await d.errors(), []);
    });

    test(`${name}: the twins agree in f64 in the page, angle ≤ 1e-12 over 300 steps`, async () => {
      await d.goto(`${server.origin}/?backend=cpu&speed=20`);
      await ready(d);
      const t0 = Date.now();
      await d.click('#play');
      await d.waitFor(() => Number(document.body.dataset.steps || 0) >= 300, null, 180000);
      await d.click('#play');
      const rate = (300 * 1000) / (Date.now() - t0);
      const worst = await d.eval(() => {
        let angle = 0;
        let loss = 0;
        for (const s of window.__explr.history) {
          angle = Math.max(angle, s.runs[1].angle);
          loss = Math.max(loss, Math.abs(s.runs[1].loss - s.runs[0].loss));
        }
        return { angle, loss, precision: document.body.dataset.precision };
      });
      console.log(`${name}: B vs A over 300 steps: angle ≤ ${worst.angle.toExponential(2)}, loss ≤ ${worst.loss.toExponential(2)} (${worst.precision}); ≈ ${Math.round(rate)} steps/s including start-up`);
      assert.equal(worst.precision, 'f64');
      assert.ok(worst.angle <= 1e-12 && worst.loss <= 1e-12, JSON.stringify(worst));
      assert.deepEqual(await d.errors(), []);
    });

    test(`${name}: a malformed link gets its message and a working page`, async () => {
      await d.goto(`${server.origin}/?backend=cpu&eta=abc&norm=zzz&batch=-5`);
      await ready(d);
      const messages = await d.eval(() => document.getElementById('messages').textContent);
      assert.match(messages, /eta/);
      assert.match(messages, /norm/);
      assert.deepEqual(await d.errors(), []);
    });

    test(`${name}: lecture mode at 1280×720 and the embed at 700 px have no horizontal overflow`, async () => {
      for (const [url, w, h] of [['/?backend=cpu&mode=lecture', 1280, 720], ['/?backend=cpu&embed=1', 700, 900]]) {
        await d.size(w, h);
        await d.goto(`${server.origin}${url}`);
        await ready(d);
        assert.ok(await overflow(d) <= 0, `${url} at ${w}px: ${await overflow(d)}px of horizontal scroll`);
      }
      await d.size(1280, 900);
      assert.deepEqual(await d.errors(), []);
    });

    test(`${name}: 60 malformed links and every extreme configuration: no uncaught error, no NaN shown, nothing foreign`, async () => {
      const errors = [];
      for (const q of malformedLinks(60)) {
        await d.goto(`${server.origin}/${q}`);
        await d.waitFor(() => document.body.dataset.ready !== undefined);
        assert.equal(await d.eval(brokenText), null, q);
        errors.push(...(await d.errors()).map((e) => `${q}: ${e}`));
      }
      let stopped = 0;
      for (const q of extremeLinks()) {
        await d.goto(`${server.origin}/${q}`);
        await ready(d);
        await d.click('#play');
        await d.waitFor(trainedOrStopped, 40, 90000);
        if (await d.eval(() => document.getElementById('play').getAttribute('aria-pressed') === 'true')) await d.click('#play');
        else stopped += 1;
        assert.equal(await d.eval(brokenText), null, q);
        assert.deepEqual(await d.eval(foreignRequests), [], q);
        errors.push(...(await d.errors()).map((e) => `${q}: ${e}`));
      }
      console.log(`${name}: 60 malformed links, ${extremeLinks().length} extreme configurations (${stopped} stopped by themselves): ${errors.length} errors`);
      assert.deepEqual(errors, []);
    });

    test(`${name}: a tour scene states its claim from the engine's numbers`, async () => {
      await d.goto(`${server.origin}/?tour=4`);
      await ready(d);
      await d.waitFor(() => !document.querySelector('#tour .tour-show').disabled);
      await d.click('#tour .tour-show');
      await d.waitFor(() => document.getElementById('tour').dataset.phase === 'done', null, 120000);
      const result = await d.eval(() => window.__explr.tour.result);
      console.log(`${name}: tour scene 4: ${JSON.stringify(result.values)}`);
      assert.ok(result.ok && result.values.loss <= 1e-12, JSON.stringify(result));
      assert.deepEqual(await d.errors(), []);
    });
  });
}

describe('Firefox with WebGPU (lavapipe)', () => {
  let server;
  let d;
  let cache;
  before(async () => {
    server = await serve();
    // An empty Mesa shader cache: the first WebGPU compile a new visitor's machine does (16–18 s here).
    cache = mkdtempSync(join(tmpdir(), 'explr-mesa-'));
    d = await firefox({ webgpu: true, shaderCache: cache });
    console.log(`Firefox ${d.version}, WebGPU on`);
  });
  after(async () => {
    await d?.close();
    await server?.close();
    rmSync(cache, { recursive: true, force: true });
  });

  test('Firefox: bringing WebGPU up with a cold shader cache never holds up the CPU run', async () => {
    await d.goto(`${server.origin}/?speed=20`);
    await ready(d);
    await d.click('#play');
    const decided = () => d.eval(() => /Measured on this experiment|Moved the run|not available/.test(document.getElementById('messages').textContent));
    const t0 = Date.now();
    // Auto brings WebGPU up by itself on a hardware adapter, and on a software one when asked.
    await d.waitFor(() => !document.getElementById('measure').hidden || /Measured|Moved the run|not available/.test(document.getElementById('messages').textContent), null, 60000);
    if (await d.eval(() => !document.getElementById('measure').hidden)) await d.click('#measure');
    let last = await steps(d);
    let lastMove = Date.now();
    let worst = 0;
    const from = last;
    while (!(await decided()) && Date.now() - t0 < 150000) {
      await new Promise((r) => setTimeout(r, 250));
      const n = await steps(d);
      if (n > last) {
        worst = Math.max(worst, Date.now() - lastMove);
        [last, lastMove] = [n, Date.now()];
      }
    }
    worst = Math.max(worst, Date.now() - lastMove);
    const message = await d.eval(() => document.getElementById('messages').textContent);
    console.log(`Firefox auto: WebGPU brought up and measured in ${((Date.now() - t0) / 1000).toFixed(1)} s; the CPU run trained ${last - from} steps meanwhile, longest pause ${worst} ms`);
    assert.match(message, /Measured on this experiment|Moved the run/);
    assert.ok(worst < 5000, `the CPU run paused ${worst} ms while WebGPU came up`);
    await d.click('#play');
    assert.deepEqual(await d.errors(), []);
  });

  test('Firefox: a forced WebGPU run is not bound by one 100 ms completion wait per message', async () => {
    await d.goto(`${server.origin}/?backend=webgpu&dataset=blobs&speed=1`);
    await d.waitFor(() => document.getElementById('badge').dataset.backend === 'webgpu', null, 150000);
    await d.click('#play');
    await d.waitFor(() => Number(document.body.dataset.steps || 0) >= 20, null, 60000);
    const [s0, p0, t0] = [await steps(d), await d.eval(() => window.__explr.perf), Date.now()];
    await new Promise((r) => setTimeout(r, 5000));
    const [s1, p1, t1] = [await steps(d), await d.eval(() => window.__explr.perf), Date.now()];
    await d.click('#play');
    const rate = ((s1 - s0) * 1000) / (t1 - t0);
    const wait = (p1.waitMs - p0.waitMs) / (p1.steps - p0.steps);
    console.log(`Firefox forced WebGPU, 1 step per message: ${rate.toFixed(1)} steps/s, ${wait.toFixed(1)} ms waiting per message`);
    // One 100 ms wait per message would allow at most 10 steps/s.
    assert.ok(rate > 15, `${rate.toFixed(1)} steps/s`);
    assert.deepEqual(await d.errors(), []);
  });

  test('Firefox: a run moved CPU → WebGPU → CPU matches one that never moved (f32, 200 steps)', async () => {
    const q = `${server.origin}/?backend=cpu&precision=f32&dataset=blobs&speed=2`;
    const N = 200;
    const history = (n) => d.eval((k) => window.__explr.history.filter((s) => s.step <= k), n);
    const playTo = async (n) => {
      await d.click('#play');
      await d.waitFor((k) => Number(document.body.dataset.steps || 0) >= k, n, 180000);
      await d.click('#play');
    };
    const onEngine = (b) => d.waitFor((x) => document.getElementById('badge').dataset.backend === x && document.body.dataset.ready === '1', b, 180000);
    await d.goto(q);
    await ready(d);
    await playTo(N);
    const plain = await history(N);
    await d.goto(q);
    await ready(d);
    await playTo(20);
    await d.select('#backend', 'webgpu');
    await onEngine('webgpu');
    await playTo((await steps(d)) + 20);
    await d.select('#backend', 'cpu');
    await onEngine('cpu');
    assert.equal(await d.eval(() => Number(document.body.dataset.engineMoves)), 2);
    await playTo(N);
    const moved = await history(N);
    assert.deepEqual(moved.map((s) => s.step), plain.map((s) => s.step), 'every step once, no gap');
    let worst = 0;
    moved.forEach((s, i) => s.runs.forEach((r, k) => {
      const p = plain[i].runs[k];
      worst = Math.max(worst, Math.abs(r.loss - p.loss), Math.abs(r.ln_weight_norm - p.ln_weight_norm), Math.abs(r.ln_lr - p.ln_lr));
    }));
    console.log(`Firefox: moved CPU → WebGPU → CPU: largest difference from the run that never moved over ${N} steps ${worst.toExponential(2)}`);
    assert.ok(worst > 0 && worst < 1e-4, `${worst}`);
    assert.deepEqual(await d.errors(), []);
  });
});
