// The equilibrium view in headless Chromium (CPU engine, f64): the angular-update chart draws
// A, B and the predicted √(2ηλ/(1+γ)); B turns by A's angles; the intrinsic-LR preset trains a
// 4 × 4 grid of η × λ, draws its small multiples and λη plot, and runs with equal λη settle at
// the same angular update; the sweep lives in the link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, playFor, ready, useBrowser } from './harness.mjs';

const ctx = useBrowser();

/** Coloured (non-grey) pixels drawn on canvas `sel`; with `red`, only red ones (a spike's ▾). */
const inked = (page, sel, red = false) => page.$eval(sel, (c, onlyRed) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    const coloured = d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60;
    if (onlyRed ? d[i] > 150 && d[i + 1] < 60 && d[i + 2] < 60 : coloured) n += 1;
  }
  return n;
}, red);

test('the angular-update chart shows A, B and the predicted equilibrium; B turns by A’s angles', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=20');
  await ready(page);
  await playFor(page, 300);
  const chart = (await page.evaluate(() => window.__explr.charts())).find((c) => c.key === 'angular');
  assert.deepEqual(chart.runs, ['A: WD, fixed LR', 'B: no WD, exp LR', 'Δ* of A']);
  const predicted = Math.log10(Math.sqrt((2 * 0.1 * 5e-4) / 1.9));
  assert.ok(Math.abs(chart.last[2] - predicted) < 1e-9, `prediction drawn at ${chart.last[2]}, not ${predicted}`);
  const worst = await page.evaluate(() => {
    let rel = 0;
    for (const s of window.__explr.history) rel = Math.max(rel, Math.abs(s.runs[1].angular_update - s.runs[0].angular_update) / s.runs[0].angular_update);
    return rel;
  });
  console.log(`A vs B angular updates over 300 steps in f64: relative difference ≤ ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-10, `${worst}`);
  assert.match(await page.textContent('#theory'), /Δ\*[\s\S]*measured Δₜ/);
  assert.equal(await page.isVisible('#sweep-section'), false);
  assert.deepEqual(log.errors, []);
  await page.close();
});

/**
 * Checks that every time chart of a sweep draws a finite curve up to the last step, that the
 * charts with nothing to show say why, and that the status line speaks of the grid.
 */
async function sweepChartsDraw(page, runs) {
  // The charts take turns drawing (two per frame), and a message sent before Pause may still
  // arrive: take the charts and the step shown from one moment at which every chart caught up.
  const now = () => ({ shown: Number(document.body.dataset.steps), charts: window.__explr.charts() });
  const caughtUp = await page.waitForFunction(() => {
    const shown = Number(document.body.dataset.steps);
    const charts = window.__explr.charts();
    return charts.every((c) => c.lastStep !== null && c.lastStep >= shown - 1) ? { shown, charts } : null;
  }, null, { timeout: 15000, polling: 100 }).then((h) => h.jsonValue(), () => null);
  const { charts, shown } = caughtUp || await page.evaluate(now);
  assert.ok(charts.length >= 5, `${charts.length} time charts`);
  for (const c of charts) {
    // Every run in each chart; the distance chart has a curve per twin.
    assert.ok(c.runs.length >= (c.key === 'dist' ? 1 : runs), `${c.key}: ${c.runs.length} curves`);
    assert.ok(c.lastStep >= shown - 1, `${c.key} drew up to step ${c.lastStep} of ${shown}`);
    assert.ok(c.last.some(Number.isFinite), `${c.key} has a finite curve`);
  }
  const notes = await page.$$eval('.chart-note', (ps) => ps.map((p) => p.dataset.key));
  for (const key of notes) assert.ok(!charts.some((c) => c.key === key));
  assert.match(await page.textContent('#readout'), /step \d+ · \d+ grid points \(\d η × \d λ\) · timescale 1\/\(λη\)/);
  assert.match(await page.textContent('#legend'), /colour: η =[^]*line: λ =/);
  return { charts: charts.map((c) => c.key), notes };
}

test('a 3 × 3 sweep from the link draws every time chart, a grouped legend and a status line', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&sweep_eta=0.05,0.1,0.2&sweep_wd=0.0002,0.0005,0.001');
  await ready(page);
  await playFor(page, 300);
  await page.waitForTimeout(600);
  const { charts, notes } = await sweepChartsDraw(page, 9);
  console.log(`3 × 3 sweep: charts ${charts.join(', ')} draw 9 curves each; said why empty: ${notes.join(', ') || 'none'}`);
  assert.deepEqual(notes, ['dist', 'layers'], 'no twins: the distance chart says why it is empty; nine runs: the per-layer chart leaves them to the small multiples');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the intrinsic-LR preset trains a 4 × 4 grid; equal λη settle alike; the link holds the sweep', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=40');
  await ready(page);
  await page.selectOption('#preset', 'intrinsic');
  await ready(page);
  const q = await page.evaluate(() => window.location.search);
  assert.match(q, /sweep_eta=0\.05%2C0\.1%2C0\.2%2C0\.4/);
  assert.match(q, /sweep_wd=0\.00025%2C0\.0005%2C0\.001%2C0\.002/);
  const t0 = Date.now();
  await playFor(page, 3000, 300000);
  const secs = (Date.now() - t0) / 1000;
  const points = await page.evaluate(() => window.__explr.sweep());
  assert.equal(points.length, 16);
  const at = (le) => points.filter((p) => Math.abs(p.lambdaEta - le) < 1e-12).map((p) => p.delta);
  const same = at(1e-4);
  const spread = (Math.max(...same) - Math.min(...same)) / Math.min(...same);
  const higher = at(4e-4);
  console.log(`16 runs × 3000 steps in ${secs.toFixed(1)} s; λη = 1e-4 (η = 0.05…0.4): Δ = ${same.map((d) => d.toExponential(3)).join(', ')} (spread ${(100 * spread).toFixed(1)}%); λη = 4e-4: ${higher.map((d) => d.toExponential(3)).join(', ')}`);
  assert.equal(same.length, 4);
  assert.ok(spread < 0.05, `equal λη spread ${spread}`);
  assert.ok(Math.min(...higher) > 1.5 * Math.max(...same), 'λη four times larger settles higher');
  assert.ok(points.every((p) => p.accuracy !== null), 'every run has a test accuracy');
  assert.ok(await inked(page, '#sweep-multiples') > 2000, 'the small multiples have curves');
  assert.ok(await inked(page, '#sweep-scatter') > 200, 'the λη plot has points');
  assert.equal(await page.isVisible('#boundaries-section'), false);
  await sweepChartsDraw(page, 16);
  // The link alone brings the sweep back.
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => window.__explr.sweep().length), 16);
  assert.equal(await page.inputValue('#sweep_wd'), '0.00025,0.0005,0.001,0.002');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a sweep with twins: each twin turns by its own run’s angles', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&sweep_eta=0.1,0.2&sweep_wd=0.0005&sweep_twins=1&speed=20');
  await ready(page);
  await playFor(page, 200);
  const s = await page.evaluate(() => ({ labels: window.__explr.sweep().map((p) => p.label), history: window.__explr.history }));
  assert.deepEqual(s.labels, ['η=0.1 λ=0.0005', 'η=0.1 λ=0.0005, exp LR', 'η=0.2 λ=0.0005', 'η=0.2 λ=0.0005, exp LR']);
  let worst = 0;
  for (const st of s.history) {
    for (const [a, b] of [[0, 1], [2, 3]]) worst = Math.max(worst, Math.abs(st.runs[a].angular_update - st.runs[b].angular_update) / st.runs[a].angular_update);
  }
  console.log(`sweep twins: relative difference of angular updates ≤ ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-10, `${worst}`);
  const { notes } = await sweepChartsDraw(page, 4);
  assert.deepEqual(notes, [], 'with twins every chart draws, the distance chart too');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('time = intrinsic: the charts run on steps × λη, the link keeps it, switching back keeps the run', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=20&time=intrinsic');
  await ready(page);
  await playFor(page, 200);
  const le = 0.1 * 5e-4;
  const charts = await page.evaluate(() => window.__explr.charts());
  const lr = charts.find((c) => c.key === 'lr');
  console.log(`intrinsic time: last x ${lr.lastX} at step ${lr.lastStep} (λη = ${le})`);
  assert.ok(Math.abs(lr.lastX - lr.lastStep * le) < 1e-12, `x = step × λη: ${lr.lastX} vs ${lr.lastStep}`);
  assert.match(await page.textContent('#theory'), /1\/\(λη\) = 20,000 steps/);
  assert.match(page.url(), /time=intrinsic/);
  assert.equal(await page.$eval('#time', (s) => s.value), 'intrinsic');
  const step = Number(await page.evaluate(() => document.body.dataset.steps));
  await page.selectOption('#time', 'steps');
  await page.waitForFunction(() => window.__explr.charts()[0].lastX === window.__explr.charts()[0].lastStep);
  const back = (await page.evaluate(() => window.__explr.charts())).find((c) => c.key === 'lr');
  assert.ok(back.lastStep >= step, `the run went on: step ${back.lastStep} after ${step}`);
  assert.doesNotMatch(page.url(), /time=/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the periodic-spikes preset: full-batch GD spikes again and again; each spike marked, the period printed', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
  await ready(page);
  await page.selectOption('#preset', 'spikes');
  await ready(page);
  assert.match(await page.textContent('#explain'), /never settles[\s\S]*chaos/);
  await page.click('#play');
  await page.waitForFunction(() => (window.__explr.history.at(-1)?.runs[0].spikes ?? 0) >= 3, null, { timeout: 120000, polling: 250 });
  await page.click('#play');
  const last = await page.evaluate(() => window.__explr.history.at(-1));
  const { spikes, spike_period: period } = last.runs[0];
  console.log(`spikes preset: ${spikes} spikes by step ${last.step}, one every ${period.toFixed(1)} steps`);
  assert.ok(period > 20 && period < 300, `period ${period}`);
  await page.waitForFunction(() => /spikes? of ‖w‖, one every \d+ steps/.test(document.querySelector('#readout').textContent));
  const title = await page.$eval('.chart[data-key="loss"] figcaption', (c) => c.textContent);
  assert.match(title, /▾/);
  // The triangles are drawn: red pixels along the top of the loss chart.
  const red = await inked(page, '.chart[data-key="loss"] canvas', true);
  assert.ok(red > 20, `${red} red pixels`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the late gradient rise: under cosine decay ‖g‖/‖w‖ of C climbs; with λ tied to the LR it does not', async () => {
  const rise = {};
  for (const preset of ['gradrise', 'gradtied']) {
    const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=100');
    await ready(page);
    await page.selectOption('#preset', preset);
    await ready(page);
    await playFor(page, 12000, 240000);
    rise[preset] = await page.evaluate(() => {
      const h = window.__explr.history;
      const gm = (a, b) => {
        const v = h.filter((s) => s.step >= a && s.step < b).map((s) => s.runs[2].ln_grad_weight_ratio);
        return Math.exp(v.reduce((x, y) => x + y, 0) / v.length);
      };
      return gm(10000, 12000) / gm(2000, 4000);
    });
    const chart = (await page.evaluate(() => window.__explr.charts())).find((c) => c.key === 'gradratio');
    assert.ok(chart.last.every((v) => v !== null), `${preset}: every ‖g‖/‖w‖ curve has points`);
    assert.deepEqual(log.errors, []);
    await page.close();
  }
  console.log(`‖g‖/‖w‖ of C from steps 2 000–4 000 to 10 000–12 000: constant λ ×${rise.gradrise.toFixed(2)}, tied ×${rise.gradtied.toFixed(2)}`);
  assert.ok(rise.gradrise > 2, `rise ×${rise.gradrise}`);
  assert.ok(rise.gradtied < 1.5, `tied ×${rise.gradtied}`);
});
