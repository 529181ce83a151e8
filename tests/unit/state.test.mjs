// Unit tests of the page's state module (no browser): parsing links, serializing state,
// round trips, the cross-checks, and the helpers that format values beyond f64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS, defaults, fromQuery, isSweep, maxWeightDecay, resolvePrecision, settingsOf, toQuery } from '../../www/state.js';
import { SCHEMA } from '../../www/settings.gen.js';
import { fmtLog10 } from '../../www/format.js';
import { History } from '../../www/history.js';
import { Envelope, bucketsFor } from '../../www/envelope.js';

test('defaults serialize to an empty query and parse back', () => {
  assert.equal(toQuery(defaults()), '');
  const { state, problems, notices } = fromQuery('');
  assert.deepEqual(state, defaults());
  assert.deepEqual([problems, notices], [[], []]);
});

test('every field round-trips through the query', () => {
  const s = { ...defaults(), eta: 0.05, wd: 0.001, momentum: 0.8, schedule: 'step', milestones: [40, 90], factor: 0.2, texp: 'approx',
    norm: 'group', net: 'standard', init: 'naive', dataset: 'spirals', batch: 32, seed: 3, speed: 7, backend: 'cpu', precision: 'f32',
    chaos: false, sweep_twins: true, toy: 'ratio', toyeta: 0.3, toywd: 0.2, toysteps: 50, embed: true, mode: 'lecture' };
  const back = fromQuery(toQuery(s));
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.state, s);
  for (const key of Object.keys(FIELDS)) assert.ok(Object.hasOwn(back.state, key), key);
});

test('bad values are reported once each and replaced, never thrown', () => {
  const cases = {
    'eta=abc': /eta="abc" is not a decimal number/,
    'eta=0x10': /not a decimal number/,
    'eta=5': /out of range .* clamped to 1/,
    'batch=7.6': /rounded to 8/,
    'norm=weird': /not one of/,
    'embed=maybe': /not a boolean/,
    'milestones=5,x': /whole numbers/,
    'milestones=': /empty/,
    'seed=%EF%BC%91': /full-width/,
  };
  for (const [q, re] of Object.entries(cases)) {
    const { problems } = fromQuery(q);
    assert.equal(problems.length, 1, `${q}: ${problems}`);
    assert.match(problems[0], re, q);
  }
  assert.doesNotThrow(() => fromQuery('%%%&&=&=x&__proto__=1&constructor=2'));
  assert.equal(fromQuery('__proto__=1').state.eta, 0.1);
});

test('tracking keys vanish, unknown keys get a notice', () => {
  const { problems, notices } = fromQuery('utm_source=a&utm_medium=b&fbclid=c&gclid=d&ref=e&colour=red');
  assert.deepEqual(problems, []);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /colour/);
});

test('an inadmissible (η, λ, γ) moves λ to the largest that runs', () => {
  const { state, problems } = fromQuery('momentum=0.99');
  assert.ok(state.wd <= maxWeightDecay(state.eta, state.momentum));
  const disc = (1 + state.momentum - state.wd * state.eta) ** 2 - 4 * state.momentum;
  assert.ok(disc >= 0, `discriminant ${disc}`);
  assert.match(problems[0], /largest that runs/);
  assert.deepEqual(fromQuery('momentum=0.9').problems, []);
});

test('the engine’s ranges and defaults come from Rust (settings.gen.js)', () => {
  for (const f of [...SCHEMA.fields, ...SCHEMA.toy.fields]) {
    if (f.key === 'precision') continue;
    const page = FIELDS[f.key];
    assert.ok(page, f.key);
    assert.equal(page.kind, f.kind, f.key);
    assert.equal(page.min, f.min, f.key);
    assert.equal(page.max, f.max, f.key);
    assert.deepEqual(page.values, f.values, f.key);
    assert.deepEqual(page.def, { ...SCHEMA.defaults, ...SCHEMA.toy.defaults }[f.key], f.key);
  }
  // What the page sends the engine: exactly the engine's keys.
  const sent = settingsOf(defaults(), 'f64');
  assert.deepEqual(Object.keys(sent).sort(), SCHEMA.fields.map((f) => f.key).sort());
  assert.deepEqual(sent, SCHEMA.defaults);
});

test('precision per backend', () => {
  const s = defaults();
  assert.equal(resolvePrecision(s, 'cpu'), 'f64');
  assert.equal(resolvePrecision(s, 'webgpu'), 'f32');
  assert.equal(resolvePrecision({ ...s, precision: 'f32' }, 'cpu'), 'f32');
});

test('values beyond f64 print in log space, never as Infinity', () => {
  assert.equal(fmtLog10(-1), '0.1000');
  assert.equal(fmtLog10(342.7), '10^342.7');
  assert.match(fmtLog10(12.5), /^3\.162e12$/);
  assert.equal(fmtLog10(null), '—');
});

test('the history stays within its capacity, keeping every stride-th step', () => {
  const h = new History(2, 64);
  const run = (t) => ({ loss: t, accuracy: 1, ln_lr: t, ln_weight_norm: 0, ln_effective_lr: 0, ln_scale_measured: 0, ln_scale_predicted: 0,
    rel_weight_error: 0, angle: 0, prob_diff: 0, ln_stored_scale: 0, test_loss: null, test_accuracy: null });
  for (let t = 1; t <= 1000; t += 1) h.append([{ step: t, runs: [run(t), run(t)] }]);
  assert.ok(h.length <= 64);
  const steps = h.toObjects().map((s) => s.step);
  assert.equal(steps[0], 1);
  assert.equal(steps.at(-1), 1000);
  for (let i = 1; i < steps.length - 1; i += 1) assert.equal(steps[i] - steps[i - 1], h.stride);
  assert.equal(h.toObjects()[3].runs[1].test_loss, null);
});

test('the envelope keeps every extreme in a bounded number of points', () => {
  const e = new Envelope(1, 8);
  for (let t = 1; t <= 1000; t += 1) e.push(t, [t === 500 ? 99 : t % 7 === 0 ? null : 0]);
  const [xs, y] = e.data();
  assert.ok(xs.length <= 16);
  assert.equal(Math.max(...y.filter((v) => v !== null)), 99, 'the spike survives decimation');
  for (let i = 1; i < xs.length; i += 1) assert.ok(xs[i] >= xs[i - 1]);
});

test('a chart of any number of curves keeps drawing its latest step (buckets merge in pairs)', () => {
  // 9 and 16 curves once gave 133 and 75 buckets: the first merge left half a bucket, and the
  // sweep's time charts drew nothing.
  for (let series = 1; series <= 130; series += 1) {
    const n = bucketsFor(series);
    assert.equal(n % 2, 0, `${series} curves: ${n} buckets`);
    const e = new Envelope(series, n);
    for (let t = 1; t <= 5000; t += 1) e.push(t, Array.from({ length: series }, (_, s) => s + t));
    const [xs, ...ys] = e.data();
    assert.equal(xs.at(-1), 5000, `${series} curves: last step drawn`);
    assert.ok(ys.every((y, s) => y.at(-1) === s + 5000), `${series} curves: last values drawn`);
  }
  const odd = new Envelope(1, 133);
  for (let t = 1; t <= 1000; t += 1) odd.push(t, [t]);
  assert.equal(odd.data()[0].at(-1), 1000, 'an odd bucket count asked for is made even');
});

test('the page’s CSV has the engine’s columns (those explr train writes)', async () => {
  const { csvText } = await import('../../www/export.js');
  const h = new History(2, 64);
  const run = { loss: 0.5, accuracy: 1, ln_lr: 800, ln_weight_norm: 1, ln_effective_lr: -2, ln_scale_measured: 0.1, ln_scale_predicted: 0.1,
    rel_weight_error: 1e-16, angle: 1e-15, prob_diff: 0, ln_stored_scale: 0, test_loss: null, test_accuracy: 0.9 };
  h.append([{ step: 1, runs: [run, run] }]);
  const lines = csvText(h, [{ label: 'A' }, { label: 'B' }], 'η = 0.1', { precision: 'f64', backend: 'cpu' }).trim().split('\n');
  assert.match(lines[0], /^# explr · f64 on cpu/);
  const header = lines[1].split(',');
  assert.deepEqual(header, ['step', 'run', ...SCHEMA.csv.map((c) => c.name)]);
  assert.ok(header.includes('log10_effective_lr') && header.includes('test_accuracy'));
  const cells = lines[2].split(',');
  assert.equal(cells.length, header.length);
  const col = (name) => cells[header.indexOf(name)];
  assert.equal(col('lr'), '', 'e^800 is beyond f64: empty');
  assert.ok(Math.abs(Number(col('log10_lr')) - 800 * Math.LOG10E) < 1e-9);
  assert.equal(col('test_loss'), '', 'not measured: empty');
  assert.equal(col('test_accuracy'), '0.9');
  assert.equal(Number(col('weight_norm')), Math.E);
});

test('a sweep lives in the link; points without a real α are left out, with a message', () => {
  const { state, problems } = fromQuery('sweep_eta=0.4,0.05,0.1&sweep_wd=0.002,0.0005&sweep_twins=1');
  assert.deepEqual(problems, []);
  assert.ok(isSweep(state));
  assert.deepEqual([state.sweep_eta, state.sweep_wd, state.sweep_twins], [[0.05, 0.1, 0.4], [0.0005, 0.002], true]);
  assert.equal(toQuery(state), 'sweep_eta=0.05%2C0.1%2C0.4&sweep_wd=0.0005%2C0.002&sweep_twins=1');
  assert.ok(!isSweep(defaults()));
  const bad = fromQuery('sweep_eta=0.1,abc&sweep_wd=0.03,0.0005&schedule=step');
  assert.deepEqual(bad.state.sweep_eta, []);
  assert.deepEqual(bad.state.sweep_wd, [0.0005], 'λ = 0.03 has no real α at η = 0.1');
  assert.equal(bad.state.schedule, 'constant');
  assert.equal(bad.problems.length, 3, bad.problems.join(' | '));
  assert.match(bad.problems.join(' | '), /sweep_eta="0.1,abc" must be up to 8 numbers/);
  assert.match(bad.problems.join(' | '), /no real α for λ = 0.03/);
  assert.match(bad.problems.join(' | '), /schedule set to constant/);
});

test('the sweep’s prediction line, drawn through the engine’s Δ* of two runs, is √(2λη/(1+γ)) at every λη', async () => {
  const { predictionLine } = await import('../../www/sweep.js');
  const gamma = 0.9;
  const delta = (le) => Math.sqrt((2 * le) / (1 + gamma));
  const points = [1e-5, 4e-4, 5e-5].map((lambdaEta) => ({ lambdaEta, predicted: delta(lambdaEta) }));
  const line = predictionLine(points);
  for (const le of [1e-7, 3e-5, 1e-2]) assert.ok(Math.abs(line(Math.log10(le)) - Math.log10(delta(le))) < 1e-12, `λη = ${le}`);
  assert.equal(predictionLine([points[0], { ...points[0] }]), null, 'one λη: no line to draw');
});

test('index.html holds no enum values or ranges: the build fills every control from the field table', async () => {
  const { readFileSync } = await import('node:fs');
  const { OPTION_LABELS, embedParams, fillControls } = await import('../../www/controls.js');
  const raw = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');
  assert.doesNotMatch(raw, /<select id="([a-z_]+)" name="\1"><option/, 'a setting select lists its own options');
  assert.doesNotMatch(raw, /<input id="[a-z_]+" name="[a-z_]+" type="(number|range)"[^>]* (min|max)=/, 'an input carries its own range');
  const html = fillControls(raw, FIELDS);
  for (const [, key, body] of html.matchAll(/<select id="([a-z_]+)" name="\1">(.*?)<\/select>/g)) {
    assert.deepEqual([...body.matchAll(/value="([^"]*)"/g)].map((m) => m[1]), FIELDS[key].values, key);
  }
  for (const [, key, min, max] of html.matchAll(/<input id="([a-z_]+)" name="\1" type="(?:number|range)"[^>]* min="([^"]*)" max="([^"]*)"/g)) {
    assert.deepEqual([Number(min), Number(max)], [FIELDS[key].min, FIELDS[key].max], key);
  }
  assert.match(html, /<option value="instance">InstanceNorm \(CNN\)<\/option>/);
  assert.match(html, /id="batch" name="batch" type="number" min="8" max="512"/);
  for (const [key, labels] of Object.entries(OPTION_LABELS)) {
    for (const v of Object.keys(labels)) assert.ok(FIELDS[key].values.includes(v), `a label for ${key}=${v}, which is no value`);
  }
  assert.throws(() => fillControls('<select id="nope" name="nope"></select>', FIELDS), /nope/);
  assert.ok(embedParams(FIELDS).includes('sweep_eta') && !embedParams(FIELDS).includes('embed'));
});

test('every tour scene is well formed: known settings that run, known charts, an answer among its choices', async () => {
  const { SCENES } = await import('../../www/scenes.js');
  const { CHARTS } = await import('../../www/plots.js');
  const { sceneState } = await import('../../www/tour.js');
  const { crossCheck } = await import('../../www/state.js');
  assert.equal(FIELDS.tour.max, SCENES.length);
  assert.ok(SCENES.length >= 7 && SCENES.length <= 9);
  for (const [i, s] of SCENES.entries()) {
    for (const key of Object.keys(s.settings)) assert.ok(FIELDS[key], `scene ${i + 1}: setting ${key}`);
    for (const key of s.charts) assert.ok(CHARTS.some((c) => c.key === key), `scene ${i + 1}: chart ${key}`);
    assert.ok(s.question.answer >= 0 && s.question.answer < s.question.choices.length, `scene ${i + 1}`);
    assert.ok(s.text.length >= 1 && s.text.length <= 3 && s.steps > 0 && typeof s.claim === 'function');
    const state = sceneState(i + 1);
    assert.deepEqual(crossCheck(state), [], `scene ${i + 1}'s settings run as they are`);
    assert.equal(state.backend, 'cpu');
  }
});
