// The explorable page in headless Chromium (CPU backend for speed; the runtime test covers
// WebGPU): controls drive the run and the URL, links round-trip, presets, embed and lecture
// modes, the <explr-demo> element on a host page, exports, a fuzz of malformed links, no foreign
// requests, no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, playFor, ready, serve, useBrowser, waitSteps } from './harness.mjs';
import { brokenText, extremeLinks, foreignRequests, malformedLinks, trainedOrStopped } from './hostile.mjs';

// A blog post that embeds the demo with the custom element.
const HOST = `<!doctype html><html><head><meta charset="utf-8"><title>post</title><link rel="icon" href="data:,">
<script src="/explr-demo.js"></script></head>
<body><h1>A post</h1><explr-demo eta="0.05" dataset="blobs" backend="cpu" speed="5"></explr-demo><p>after</p></body></html>`;

const ctx = useBrowser({ '/post.html': HOST });

const state = (page) => page.evaluate(() => ({ ...window.__explr.state }));
const query = (page) => page.evaluate(() => window.location.search);

test('every control changes the state, the URL and the run', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
  await ready(page);
  const changes = [
    ['#eta', '0.05', 'eta', 0.05],
    ['#wd', '0.001', 'wd', 0.001],
    ['#momentum', '0.8', 'momentum', 0.8],
    ['#schedule', 'step', 'schedule', 'step'],
    ['#milestones', '50,120', 'milestones', [50, 120]],
    ['#factor', '0.2', 'factor', 0.2],
    ['#texp', 'approx', 'texp', 'approx'],
    ['#init', 'naive', 'init', 'naive'],
    ['#norm', 'layer', 'norm', 'layer'],
    ['#net', 'standard', 'net', 'standard'],
    ['#dataset', 'xor', 'dataset', 'xor'],
    ['#batch', '32', 'batch', 32],
    ['#seed', '7', 'seed', 7],
    ['#speed', '25', 'speed', 25],
    ['#backend', 'cpu', 'backend', 'cpu'],
  ];
  for (const [sel, value, key, want] of changes) {
    const tag = await page.$eval(sel, (e) => e.tagName);
    if (tag === 'SELECT') await page.selectOption(sel, value);
    else await page.fill(sel, value);
    await page.$eval(sel, (e) => e.dispatchEvent(new Event('change', { bubbles: true })));
    const s = await state(page);
    assert.deepEqual(s[key], want, `${sel} → state.${key}`);
    if (key !== 'backend' || want !== 'auto') assert.match(await query(page), new RegExp(`${key}=`), `${sel} → URL`);
  }
  await ready(page);
  // The run reflects the settings: four runs (step decay) and the rounding control A′.
  await page.click('#step');
  await waitSteps(page, 1);
  const runs = await page.evaluate(() => window.__explr.history.at(-1).runs.length);
  assert.equal(runs, 5);
  await page.uncheck('#chaos');
  assert.equal((await state(page)).chaos, false);
  assert.match(await query(page), /chaos=0/);
  await page.selectOption('#precision', 'f32');
  await ready(page);
  assert.equal(await page.evaluate(() => document.body.dataset.precision), 'f32');
  assert.match(await query(page), /precision=f32/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('decision boundaries of A and B coincide; the toy panel spikes', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&dataset=blobs&speed=20');
  await ready(page);
  await playFor(page, 60);
  await page.waitForFunction(() => document.querySelectorAll('#boundaries canvas').length === 2);
  await page.waitForTimeout(800);
  const pixels = await page.$$eval('#boundaries canvas', (cs) => cs.map((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)));
  let differing = 0;
  for (let i = 0; i < pixels[0].length; i += 1) if (Math.abs(pixels[0][i] - pixels[1][i]) > 2) differing += 1;
  assert.ok(differing <= pixels[0].length * 0.002, `${differing} channel values differ`);
  assert.ok(new Set(pixels[0].filter((_, i) => i % 4 === 0)).size > 3, 'the regions are not uniform');
  // The toy: BN + WD spikes; its controls are in the URL.
  await page.waitForFunction(() => /spike/.test(document.getElementById('toy-summary').textContent));
  assert.match(await page.textContent('#toy-summary'), /[1-9]\d* loss spikes?/);
  await page.fill('#toywd', '0');
  await page.$eval('#toywd', (e) => e.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForFunction(() => / 0 loss spikes/.test(document.getElementById('toy-summary').textContent));
  assert.match(await query(page), /toywd=0/);
  // Its chart names its lines and its axes.
  const legend = await page.$$eval('#toy-legend .legend-item', (items) => items.map((i) => [i.dataset.line, i.textContent]));
  assert.deepEqual(legend.map(([k]) => k), ['loss', 'norm', 'eta']);
  assert.match(legend[0][1], /loss/);
  assert.match(legend[1][1], /‖w‖²/);
  assert.match(legend[2][1], /η/);
  assert.match(await page.getAttribute('#toy-curves', 'aria-label'), /left axis[^]*right axis/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the no-normalization preset: A learns XOR, B departs from it far beyond rounding, and the page says why B stops', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=100');
  await ready(page);
  await page.selectOption('#preset', 'nonorm');
  await ready(page);
  assert.deepEqual([(await state(page)).norm, (await state(page)).dataset], ['none', 'xor']);
  await playFor(page, 3000, 180000);
  const at = await page.evaluate(() => {
    const runs = window.__explr.last.runs;
    const hist = window.__explr.history;
    const acc = hist.filter((s) => Number.isFinite(s.runs[0].test_accuracy)).at(-1).runs[0].test_accuracy;
    return { acc, angleB: runs[1].angle, angleControl: runs[2].angle };
  });
  console.log(`no normalization, 3000 steps: A's test accuracy ${at.acc}, B's angle to A ${at.angleB.toFixed(3)} rad, A′'s ${at.angleControl.toExponential(1)} rad`);
  assert.ok(at.acc >= 0.9, `A learns XOR: test accuracy ${at.acc}`);
  assert.ok(at.angleB >= 0.1, `B departs from A: ${at.angleB} rad`);
  assert.ok(at.angleControl < 1e-6, `A′ stays with A: ${at.angleControl} rad`);
  // Much later B stops moving (f64, deterministic: from step 16 005 here); the page says so.
  await playFor(page, 17000, 300000);
  await page.waitForFunction(() => /B has stopped moving/.test(document.getElementById('run-notes').textContent), null, { timeout: 30000 });
  const note = await page.textContent('#run-notes');
  console.log(`note: ${note.slice(0, 160)}…`);
  assert.match(note, /Without a normalization/);
  assert.match(note, /exactly uniform: every ReLU unit is off there/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** The readout's step and ‖w̃‖/‖w‖, and the formula panel's. */
const ratios = (page) => page.evaluate(() => {
  const r = /step (\d+): .*‖w̃‖\/‖w‖ = ([\d.e+-]+)/.exec(document.getElementById('readout').textContent);
  const maths = [...document.querySelectorAll('#theory math')].map((m) => m.textContent);
  const flat = (t) => t.replace(/\s/g, '');
  const measured = /=([\d.e+-]+)measured$/.exec(flat(maths.find((t) => /measured/.test(t)) || ''));
  const predicted = /^α−(\d+)=/.exec(flat(maths.find((t) => /predicted/.test(t)) || ''));
  return { readout: r && { step: Number(r[1]), ratio: Number(r[2]) }, panel: measured && predicted && { step: Number(predicted[1]), ratio: Number(measured[1]) }, shown: Number(document.body.dataset.steps) };
});

test('after Pause the status line and the formula panel show the same step and the same ratio', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=100');
  await ready(page);
  for (const target of [400, 1100, 1900]) {
    await playFor(page, target);
    // Whatever was on its way when Pause was pressed arrives and is drawn; give a busy machine time.
    let seen = await ratios(page);
    for (let i = 0; i < 50 && !(seen.readout && seen.panel && seen.panel.step === seen.shown && seen.readout.step === seen.shown); i += 1) {
      await page.waitForTimeout(200);
      seen = await ratios(page);
    }
    const { readout, panel, shown } = seen;
    assert.ok(readout && panel, 'both show the ratio');
    assert.equal(readout.step, shown);
    assert.equal(panel.step, shown, `the panel shows step ${panel.step}, the page ${shown}`);
    assert.equal(Number(panel.ratio.toPrecision(4)), readout.ratio, `panel ${panel.ratio} vs status ${readout.ratio}`);
  }
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a link round-trips to the same state', async () => {
  const q = '?eta=0.05&wd=0.001&momentum=0.8&schedule=step&milestones=40,90&norm=group&dataset=spirals&batch=32&seed=3&init=naive&backend=cpu';
  const { page } = await open(ctx.browser, ctx.server.origin, `/${q}`);
  await ready(page);
  const s1 = await state(page);
  const q1 = await query(page);
  const { page: page2 } = await open(ctx.browser, ctx.server.origin, `/${q1}`);
  await ready(page2);
  assert.deepEqual(await state(page2), s1);
  assert.equal(await query(page2), q1);
  assert.equal(s1.norm, 'group');
  assert.deepEqual(s1.milestones, [40, 90]);
  await page.close();
  await page2.close();
});

test('presets load', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
  await ready(page);
  for (const [preset, key, want] of [['toy', 'toy', 'bn_regression'], ['texp', 'schedule', 'step'], ['nonorm', 'norm', 'none'], ['standard', 'net', 'standard'], ['naive', 'init', 'naive'], ['paper', 'eta', 0.1]]) {
    await page.selectOption('#preset', preset);
    await ready(page);
    assert.deepEqual((await state(page))[key], want, preset);
  }
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('embed and lecture modes render', async () => {
  const { page } = await open(ctx.browser, ctx.server.origin, '/?embed=1&backend=cpu');
  await ready(page);
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('embed')));
  assert.equal(await page.isVisible('.claim'), false);
  const { page: lecture } = await open(ctx.browser, ctx.server.origin, '/?mode=lecture&backend=cpu');
  await ready(lecture);
  assert.ok(await lecture.evaluate(() => document.documentElement.classList.contains('lecture')));
  const size = await lecture.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(size >= 18, `lecture font ${size}`);
  await page.close();
  await lecture.close();
});

test('<explr-demo> embeds the demo, mirrors its attributes and follows its height', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/post.html');
  const frameEl = await page.waitForSelector('explr-demo iframe');
  const src = new URL(await frameEl.getAttribute('src'));
  assert.equal(src.pathname, '/index.html');
  assert.equal(src.searchParams.get('embed'), '1');
  assert.equal(src.searchParams.get('eta'), '0.05');
  assert.equal(src.searchParams.get('dataset'), 'blobs');
  const frame = await frameEl.contentFrame();
  await ready(frame);
  const inner = await frame.evaluate(() => ({ eta: window.__explr.state.eta, embed: document.documentElement.classList.contains('embed') }));
  assert.deepEqual(inner, { eta: 0.05, embed: true });
  await frame.click('#play');
  await frame.waitForFunction(() => Number(document.body.dataset.steps || 0) >= 20, null, { timeout: 60000 });
  await frame.click('#play');
  // The frame reports its height; the element sizes the iframe to it (no inner scrollbar).
  await page.waitForFunction(() => parseFloat(document.querySelector('explr-demo iframe').style.height) > 300, null, { timeout: 20000 });
  const heights = await frame.evaluate(() => document.documentElement.scrollHeight);
  const outer = await page.evaluate(() => parseFloat(document.querySelector('explr-demo iframe').style.height));
  assert.ok(Math.abs(outer - heights) <= 2, `iframe ${outer}px for a ${heights}px page`);
  // Changing an attribute reloads the frame with the new value.
  await page.evaluate(() => document.querySelector('explr-demo').setAttribute('eta', '0.2'));
  await page.waitForFunction(() => new URL(document.querySelector('explr-demo iframe').src).searchParams.get('eta') === '0.2');
  const next = await (await page.waitForSelector('explr-demo iframe')).contentFrame();
  await next.waitForFunction(() => window.__explr && window.__explr.state.eta === 0.2, null, { timeout: 60000 });
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('<explr-demo> moved to another place in the page keeps following its height', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/post.html');
  await ready(await (await page.waitForSelector('explr-demo iframe')).contentFrame());
  await page.waitForFunction(() => parseFloat(document.querySelector('explr-demo iframe').style.height) > 300, null, { timeout: 20000 });
  const before = await page.evaluate(() => parseFloat(document.querySelector('explr-demo iframe').style.height));
  // Moved into a narrow column: disconnected, connected again, the frame reloads taller.
  await page.evaluate(() => {
    const col = document.createElement('div');
    col.style.width = '340px';
    document.body.append(col);
    col.append(document.querySelector('explr-demo'));
  });
  const frame = await (await page.waitForSelector('explr-demo iframe')).contentFrame();
  await ready(frame);
  await frame.waitForTimeout(500);
  const inner = await frame.evaluate(() => document.documentElement.scrollHeight);
  await page.waitForFunction((h) => Math.abs(parseFloat(document.querySelector('explr-demo iframe').style.height) - h) <= 2, inner, { timeout: 20000 })
    .catch(() => {});
  const outer = await page.evaluate(() => parseFloat(document.querySelector('explr-demo iframe').style.height));
  console.log(`moved <explr-demo>: iframe ${before}px → ${outer}px for a ${inner}px page`);
  assert.ok(inner > before + 20, `the narrow column makes the embed taller (${before} → ${inner})`);
  assert.ok(Math.abs(outer - inner) <= 2, `iframe ${outer}px for a ${inner}px page after the move`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('exports download real data', async () => {
  const { page } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=20');
  await ready(page);
  await playFor(page, 40);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const text = await (await csv.createReadStream()).toArray().then((b) => Buffer.concat(b).toString());
  const lines = text.trim().split('\n');
  assert.match(lines[0], /^# explr · f64 on cpu/);
  assert.match(lines[1], /^step,run,loss,accuracy,log10_lr/);
  assert.ok(lines.length >= 2 + 3 * 40, `${lines.length} CSV lines`);
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const data = JSON.parse(await (await json.createReadStream()).toArray().then((b) => Buffer.concat(b).toString()));
  assert.ok(data.steps.length >= 40 && data.steps[0].runs.length === 3);
  assert.equal(data.experiment.precision, 'f64');
  assert.equal(data.engine.precision, 'f64');
  await page.close();
});

test('200 malformed links give messages, never an uncaught error', async () => {
  const page = await ctx.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const q of malformedLinks(200)) {
    await page.goto(`${ctx.server.origin}/${q}`);
    await page.waitForSelector('#badge');
    assert.ok(await page.isVisible('#play'));
    assert.equal(await page.evaluate(brokenText), null, q);
  }
  await page.goto(`${ctx.server.origin}/?eta=-5&norm=weird&backend=cpu`);
  await ready(page);
  const msg = await page.textContent('#messages');
  assert.match(msg, /eta/);
  assert.match(msg, /norm/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('extreme configurations (every range end, hard combinations) train or stop with a message: no uncaught error, no NaN shown, nothing foreign', async (t) => {
  const links = extremeLinks();
  const page = await ctx.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let stopped = 0;
  for (const q of links) {
    await page.goto(`${ctx.server.origin}/${q}`);
    await ready(page);
    await page.click('#play');
    await page.waitForFunction(trainedOrStopped, 40, { timeout: 60000 });
    if ((await page.getAttribute('#play', 'aria-pressed')) === 'true') await page.click('#play');
    else stopped += 1;
    assert.equal(await page.evaluate(brokenText), null, q);
    assert.deepEqual(await page.evaluate(foreignRequests), [], q);
  }
  t.diagnostic(`${links.length} extreme configurations: ${links.length - stopped} trained 40 steps, ${stopped} stopped by themselves`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('no request leaves the origin and the console stays clean', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?dataset=mnist&backend=cpu&speed=5');
  await ready(page);
  await playFor(page, 10);
  assert.deepEqual(log.foreign, []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('<explr-demo> works from a blog on another origin, loaded with a plain <script src>', async () => {
  const post = `<!doctype html><html><head><meta charset="utf-8"><title>elsewhere</title><link rel="icon" href="data:,">
<script src="${ctx.server.origin}/explr-demo.js"></script></head><body><explr-demo backend="cpu" dataset="xor"></explr-demo></body></html>`;
  const blog = await serve({ '/post.html': post });
  try {
    assert.notEqual(new URL(blog.origin).port, new URL(ctx.server.origin).port);
    const { page, log } = await open(ctx.browser, blog.origin, '/post.html');
    const frameEl = await page.waitForSelector('explr-demo iframe', { timeout: 20000 });
    assert.equal(new URL(await frameEl.getAttribute('src')).origin, ctx.server.origin);
    const frame = await frameEl.contentFrame();
    await ready(frame);
    assert.equal(await frame.evaluate(() => window.__explr.state.dataset), 'xor');
    await page.waitForFunction(() => parseFloat(document.querySelector('explr-demo iframe').style.height) > 300, null, { timeout: 20000 });
    assert.deepEqual(log.errors, []);
    await page.close();
  } finally {
    await blog.close();
  }
});

test('the Content-Security-Policy header reaches the training worker: no fetch to another origin', async () => {
  const other = await serve();
  try {
    const { page } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
    await ready(page);
    const workers = page.workers();
    assert.ok(workers.length >= 1, 'a training worker runs');
    const url = `${other.origin}/index.html`;
    const fromWorker = await workers[0].evaluate((u) => fetch(u).then(() => 'fetched', (e) => `blocked: ${e.message}`), url);
    const fromPage = await page.evaluate((u) => fetch(u).then(() => 'fetched', (e) => `blocked: ${e.message}`), url);
    console.log(`fetch to another origin — page: ${fromPage}; worker: ${fromWorker}`);
    assert.match(fromPage, /^blocked/);
    assert.match(fromWorker, /^blocked/);
    await page.close();
  } finally {
    await other.close();
  }
});

test('the page findings: toy edge cases, inadmissible γ, divergence, malformed and shared links, keyboard', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&toy=bn_regression&toyeta=1&toywd=1');
  await ready(page);
  await page.waitForFunction(() => /GD stopped after/.test(document.getElementById('toy-summary').textContent));
  for (const q of ['toy=plain_regression&toyeta=2&toywd=1&toysteps=5000', 'toy=ratio&toyeta=2&toywd=1&toysteps=5000']) {
    await page.goto(`${ctx.server.origin}/?backend=cpu&${q}`);
    await page.waitForFunction(() => /steps of GD/.test(document.getElementById('toy-summary').textContent));
  }
  // γ = 0.99 has no real α at the default η, λ: λ moves to the largest that runs, and it trains.
  await page.goto(`${ctx.server.origin}/?backend=cpu&momentum=0.99`);
  await ready(page);
  assert.match(await page.textContent('#messages'), /weight decay moved to 0\.000251/);
  assert.match(await page.evaluate(() => window.location.search), /wd=0\.000251/);
  await page.click('#step');
  await waitSteps(page, 1);
  // A run that really diverges keeps its history up to the last finite step and says what to do.
  await page.goto(`${ctx.server.origin}/?backend=cpu&dataset=xor&norm=none&net=standard&eta=1&momentum=0.99&wd=0&speed=20&chaos=0`);
  await ready(page);
  await page.click('#play');
  await page.waitForFunction(() => /NaN/.test(document.getElementById('messages').textContent), null, { timeout: 60000 });
  const kept = await page.evaluate(() => window.__explr.history.length);
  assert.ok(kept >= 1, 'the steps before the NaN are kept');
  assert.match(await page.textContent('#messages'), /press Reset/);
  assert.equal(await page.textContent('#play'), '▶ Play');
  await page.click('#play');
  assert.equal(await page.textContent('#play'), '▶ Play');
  // Malformed values: one message each, the link rewritten to what is used.
  await page.goto(`${ctx.server.origin}/?backend=cpu&eta=0o7&momentum=0x1A&seed=0b1&batch=--1&milestones=,,,,&norm=batch%00&embed=0%20`);
  await ready(page);
  const msgs = await page.$$eval('#messages p.error', (ps) => ps.map((p) => p.dataset.text));
  for (const key of ['eta', 'momentum', 'seed', 'batch', 'milestones', 'norm', 'embed']) {
    assert.equal(msgs.filter((m) => m.startsWith(key)).length, 1, `${key}: ${msgs.join(' | ')}`);
  }
  assert.equal(await page.evaluate(() => window.location.search), '?backend=cpu');
  // A link shared through a newsletter: tracking keys vanish, an unknown key gets a calm notice.
  await page.goto(`${ctx.server.origin}/?backend=cpu&utm_medium=email&utm_campaign=x&fbclid=abc&gclid=1&ref=blog&colour=red`);
  await ready(page);
  assert.equal(await page.$$eval('#messages p.error', (ps) => ps.length), 0);
  assert.match(await page.textContent('#messages p.notice'), /"colour" is not one of explr's/);
  // Keyboard: space on a focused button presses that button, not Play.
  await page.focus('#step');
  await page.keyboard.press('Space');
  await waitSteps(page, 1);
  assert.equal(await page.textContent('#play'), '▶ Play');
  assert.deepEqual(log.errors, []);
  await page.close();
});
