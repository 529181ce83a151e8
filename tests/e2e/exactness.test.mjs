// The page shows what the core proves (headless Chromium, CPU engine): f64 twins agree to
// 1e-12 on the MNIST CNN; in f32 the rounding-chaos control A′ tells rounding from a real
// difference; the paper's defaults show the explosion within 20 s; values past the f64 range
// stay on every chart with no Infinity or NaN in the page; the "what breaks" presets say what
// broke; the accuracy axis stays in [0, 1].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, playFor, ready, useBrowser } from './harness.mjs';

const ctx = useBrowser();

/** Largest angle and loss difference of run `i` against A over the page's own history. */
const worst = (page, i) => page.evaluate((k) => {
  let angle = 0;
  let loss = 0;
  for (const s of window.__explr.history) {
    angle = Math.max(angle, s.runs[k].angle);
    loss = Math.max(loss, Math.abs(s.runs[k].loss - s.runs[0].loss));
  }
  return { angle, loss, steps: window.__explr.history.length };
}, i);

test('MNIST CNN in f64 on the CPU: the twins agree to 1e-12 over 300 steps', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?dataset=mnist&backend=cpu&speed=5');
  await ready(page);
  assert.equal(await page.evaluate(() => document.body.dataset.precision), 'f64');
  assert.match(await page.textContent('#badge'), /f64/);
  await playFor(page, 300, 600000);
  const b = await worst(page, 1);
  const control = await worst(page, 2);
  console.log(`MNIST f64, ${b.steps} steps: B vs A angle ≤ ${b.angle.toExponential(2)}, loss ≤ ${b.loss.toExponential(2)}; A′ vs A angle ≤ ${control.angle.toExponential(2)}`);
  assert.ok(b.angle <= 1e-12, `angle ${b.angle}`);
  assert.ok(b.loss <= 1e-12, `loss difference ${b.loss}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('MNIST CNN in f32: A′ shows how far rounding alone separates two runs', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?dataset=mnist&backend=cpu&precision=f32&speed=5');
  await ready(page);
  assert.equal(await page.evaluate(() => document.body.dataset.precision), 'f32');
  await playFor(page, 200, 600000);
  const b = await worst(page, 1);
  const control = await worst(page, 2);
  const ratio = b.angle / control.angle;
  console.log(`MNIST f32, ${b.steps} steps: B vs A angle ≤ ${b.angle.toExponential(2)}, A′ vs A ≤ ${control.angle.toExponential(2)} (B/A′ = ${ratio.toFixed(2)})`);
  // A′ differs from A by rounding alone, and drifts measurably: the control is live.
  assert.ok(control.angle > 1e-7, `A′ angle ${control.angle}`);
  // B stays within the same order of magnitude as A′ (within 30×): rounding, not the theorem.
  assert.ok(ratio < 30, `B/A′ = ${ratio}`);
  assert.match(await page.textContent('#dist-note'), /rounding amplified by training/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('naive ṽ₀ separates at once, far above the rounding control', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&init=naive&speed=20');
  await ready(page);
  await playFor(page, 100);
  const b = await worst(page, 1);
  const control = await worst(page, 2);
  console.log(`naive ṽ₀, f64: B vs A ${b.angle.toExponential(2)}, A′ vs A ${control.angle.toExponential(2)}`);
  assert.ok(b.angle > 1e4 * control.angle, 'a real difference stands far above rounding');
  assert.match(await page.textContent('#explain'), /ṽ₀ = 0/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the paper defaults: within 20 s of Play, B’s LR is ≥ 10× η and the losses still agree', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
  await ready(page);
  const t0 = Date.now();
  await page.click('#play');
  await page.waitForFunction(() => {
    const last = window.__explr.last;
    return last && Math.exp(last.runs[1].ln_lr) >= 10 * window.__explr.state.eta;
  }, null, { timeout: 20000, polling: 100 });
  const secs = (Date.now() - t0) / 1000;
  await page.click('#play');
  const last = await page.evaluate(() => window.__explr.last);
  const b = await worst(page, 1);
  console.log(`B's LR ×10 after ${secs.toFixed(1)} s (${last.step} steps); loss difference ≤ ${b.loss.toExponential(2)}, angle ≤ ${b.angle.toExponential(2)}`);
  assert.ok(b.loss <= 1e-9, `loss difference ${b.loss}`);
  assert.match(await page.textContent('#readout'), /B’s LR ×\d/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('past the range of f64 every chart keeps every run and no text reads Infinity or NaN', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?eta=1&wd=0.05&momentum=0.5&backend=cpu&speed=100');
  await ready(page);
  await playFor(page, 8000, 300000);
  await page.waitForTimeout(500);
  const charts = await page.evaluate(() => window.__explr.charts());
  const step = await page.evaluate(() => window.__explr.last.step);
  for (const c of charts) {
    if (c.key === 'acc') continue; // test accuracy is drawn every 20 steps
    assert.equal(c.lastStep, step, `${c.key} ends at ${c.lastStep}, not ${step}`);
    c.last.forEach((v, i) => assert.ok(v !== null && Number.isFinite(v), `${c.key}: ${c.runs[i]} has no point at the last step`));
  }
  const lr = charts.find((c) => c.key === 'lr');
  console.log(`after ${step} steps: log10 LR of ${lr.runs.join(' / ')} = ${lr.last.map((v) => v.toFixed(1)).join(' / ')}`);
  assert.ok(lr.last[1] > 308, 'B’s LR is past the range of f64');
  const acc = charts.find((c) => c.key === 'acc');
  assert.ok(acc.last.every((v) => v !== null), 'accuracy has points');
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /Infinity|NaN/);
  assert.match(await page.textContent('#readout'), /10\^\d/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('each "what breaks" preset says what broke; labels follow the network', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
  await ready(page);
  assert.equal(await page.isVisible('#explain'), false);
  for (const [preset, words] of [['nonorm', /not scale-invariant/], ['standard', /affine/], ['naive', /ṽ₀ = 0/]]) {
    await page.selectOption('#preset', preset);
    await ready(page);
    assert.match(await page.textContent('#explain'), words, preset);
  }
  await page.selectOption('#preset', 'nonorm');
  await ready(page);
  const captions = await page.$$eval('.chart figcaption', (cs) => cs.map((c) => c.textContent).join(' | '));
  assert.doesNotMatch(captions, /scale-invariant|normalized/);
  assert.doesNotMatch(await page.textContent('#boundary-hint'), /batch-norm/);
  assert.doesNotMatch(await page.$eval('#net', (s) => s.selectedOptions[0].textContent), /scale-invariant/);
  // Accuracy is plotted on [0, 1].
  await playFor(page, 60);
  const acc = (await page.evaluate(() => window.__explr.charts())).find((c) => c.key === 'acc');
  assert.deepEqual(acc.yRange, [0, 1]);
  assert.deepEqual(log.errors, []);
  await page.close();
});

for (const [schedule, extra, words] of [
  ['cosine', 'warmup=20&total=200', /cosine after 20 warm-up steps to 0\.001 at step 200/],
  ['linear', 'total=200', /linear decay to 0\.001 at step 200/],
  ['list', 'milestones=60,120&lrs=0.1,0.03,0.06', /LRs 0\.1, 0\.03, 0\.06 from steps 0, 60, 120/],
  ['cosine', 'total=200&wd_schedule=tied', /cosine to 0\.001 at step 200 \(exact twin\), λ tied to C’s LR/],
]) {
  test(`schedule=${schedule}${extra.includes('tied') ? ' with λ tied to it' : ''} from the link: run C decays, its twin D coincides with it to 1e-12 over 200 steps, its controls are shown`, async () => {
    const { page, log } = await open(ctx.browser, ctx.server.origin, `/?backend=cpu&speed=20&dataset=blobs&schedule=${schedule}&${extra}`);
    await ready(page);
    await playFor(page, 200);
    const r = await page.evaluate(() => {
      const h = window.__explr.history;
      let rel = 0;
      let loss = 0;
      for (const s of h) {
        rel = Math.max(rel, s.runs[3].rel_weight_error);
        loss = Math.max(loss, Math.abs(s.runs[3].loss - s.runs[2].loss));
      }
      const lr = (step, k) => h.find((s) => s.step === step).runs[k].ln_lr;
      return { rel, loss, labels: window.__explr.runs.map((v) => v.label), c: [lr(30, 2), lr(190, 2)], d: [lr(30, 3), lr(190, 3)] };
    });
    console.log(`${schedule}: D vs C over 200 steps: rel ${r.rel.toExponential(2)}, loss ${r.loss.toExponential(2)}; ln LR of C ${r.c.map((x) => x.toFixed(2))}, of D ${r.d.map((x) => x.toFixed(2))}`);
    assert.match(r.labels[2], /^C: WD/);
    assert.match(r.labels[3], /^D: no WD, exact twin/);
    assert.ok(r.rel <= 1e-12 && r.loss <= 1e-12, JSON.stringify(r));
    assert.notEqual(r.c[0], r.c[1], 'C’s LR changes with its schedule');
    assert.ok(await page.isVisible(schedule === 'list' ? '#lrs' : '#warmup'), 'the schedule’s own controls are shown');
    assert.ok(!(await page.isVisible('#factor')) || schedule === 'list');
    const caption = await page.evaluate(() => window.__explr.caption());
    assert.match(caption, words);
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}
