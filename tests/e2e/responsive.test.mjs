// The page never freezes and fits the rooms it is shown in (headless Chromium, CPU engine):
// Pause answers within a frame or two at every speed and after long runs, frames keep coming
// while playing, the page's memory stays bounded, a playing embed does not hold up its host;
// lecture mode fits 1280×720 and 1024×768, embed mode 700 and 360 px, nothing overflows
// horizontally at any width ≥ 320 px; the PNG export is one opaque 2× figure.
// The budgets (Pause ≤ 100 ms, ≥ 30 frames/s while playing, JS heap ≤ 150 MB) are measured by
// `npm run bench`; these tests assert the behaviour behind them with margins a busy machine
// cannot break: Pause answers, frames keep coming, memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerTime, frameRate, heapMB, horizontalOverflow, open, ready, useBrowser, waitSteps } from './harness.mjs';

/** Pause answers within this (budget: 100 ms). */
const PAUSE_MS = 500;
/** Frames keep coming at least this often while playing (budget: 30 frames/s). */
const MIN_FPS = 8;
const HEAP_MB = 150;

const HOST = `<!doctype html><html><head><meta charset="utf-8"><title>post</title><link rel="icon" href="data:,">
<script type="module" src="/explr-demo.js"></script></head>
<body><h1>A post</h1><p id="para">Text.</p><explr-demo dataset="blobs" backend="cpu" speed="5"></explr-demo><p>after</p></body></html>`;

const ctx = useBrowser({ '/post.html': HOST });

/** Checks the kept history: increasing steps on the kept stride, ending at the step shown. */
async function checkHistory(page) {
  const h = await page.evaluate(() => {
    const hist = window.__explr.history;
    return { steps: hist.map((s) => s.step), kept: window.__explr.kept, shown: Number(document.body.dataset.steps) };
  });
  const { steps, kept } = h;
  assert.equal(steps[0], 1);
  for (let i = 1; i < steps.length - 1; i += 1) assert.equal(steps[i] - steps[i - 1], kept.stride, `gap at ${steps[i - 1]}`);
  assert.ok(steps.at(-1) >= h.shown, `history ends at ${steps.at(-1)}, page shows ${h.shown}`);
  return h;
}

for (const speed of [1, 10, 100]) {
  test(`speed ${speed}: after 30 s of Play, Pause answers within ${PAUSE_MS} ms and the history is intact`, async () => {
    const { page, log } = await open(ctx.browser, ctx.server.origin, `/?backend=cpu&speed=${speed}`);
    await ready(page);
    await page.click('#play');
    await page.waitForTimeout(26000);
    const fps = await frameRate(page, 4000);
    const ms = await answerTime(page, '#play');
    assert.equal(await page.textContent('#play'), '▶ Play');
    await page.waitForTimeout(300);
    const h = await checkHistory(page);
    const heap = await heapMB(page);
    console.log(`speed ${speed}: ${h.shown} steps in 30 s; ${fps.fps.toFixed(1)} frames/s (longest gap ${fps.worstGapMs.toFixed(0)} ms); Pause answered in ${ms.toFixed(1)} ms; JS heap ${heap.toFixed(1)} MB`);
    assert.ok(ms <= PAUSE_MS, `Pause took ${ms} ms`);
    assert.ok(fps.fps >= MIN_FPS, `${fps.fps} frames/s`);
    assert.ok(heap <= HEAP_MB, `heap ${heap} MB`);
    // Paused means paused: nothing more arrives.
    const at = Number(await page.evaluate(() => document.body.dataset.steps));
    await page.waitForTimeout(500);
    assert.equal(Number(await page.evaluate(() => document.body.dataset.steps)), at);
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}

test('a 200 000-step run keeps drawing and answering; memory stays bounded', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=100&dataset=blobs&batch=8&chaos=0&precision=f32');
  await ready(page);
  await page.click('#play');
  const t0 = Date.now();
  const marks = [];
  for (const target of [50000, 100000, 150000, 200000]) {
    await waitSteps(page, target, 900000);
    const fps = await frameRate(page, 1500);
    marks.push(`${target}: ${fps.fps.toFixed(0)} fps, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    assert.ok(fps.fps >= MIN_FPS, `${fps.fps} frames/s at ${target} steps`);
  }
  const ms = await answerTime(page, '#play');
  const h = await checkHistory(page);
  const heap = await heapMB(page);
  console.log(`200k run: ${marks.join('; ')}; Pause answered in ${ms.toFixed(1)} ms; kept ${h.kept.rows} rows (stride ${h.kept.stride}, ${(h.kept.bytes / 1e6).toFixed(1)} MB); JS heap ${heap.toFixed(1)} MB`);
  assert.ok(ms <= PAUSE_MS, `Pause took ${ms} ms`);
  assert.ok(heap <= HEAP_MB, `heap ${heap} MB`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a playing embed does not hold up its host page', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/post.html');
  const frameEl = await page.waitForSelector('explr-demo iframe');
  const frame = await frameEl.contentFrame();
  await ready(frame);
  const idle = await frameRate(page, 2000);
  await frame.click('#play');
  await frame.waitForFunction(() => Number(document.body.dataset.steps || 0) >= 50, null, { timeout: 60000 });
  const busy = await frameRate(page, 6000);
  const ms = await answerTime(page, '#para');
  console.log(`host page: idle ${idle.fps.toFixed(1)} fps (longest gap ${idle.worstGapMs.toFixed(0)} ms); with the embed playing ${busy.fps.toFixed(1)} fps (longest gap ${busy.worstGapMs.toFixed(0)} ms); a click answered in ${ms.toFixed(1)} ms`);
  assert.ok(busy.fps >= MIN_FPS, `host at ${busy.fps} frames/s`);
  assert.ok(ms <= 250, `host answered a click in ${ms} ms`);
  await frame.click('#play');
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** Whether the element `sel` lies wholly within the first screen. */
const onFirstScreen = (page, sel) => page.$eval(sel, (el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight + 1 && r.right <= document.documentElement.clientWidth + 1;
});

for (const [width, height] of [[1280, 720], [1024, 768]]) {
  test(`lecture mode fits ${width}×${height}: claim, controls, formulas, LR, ‖w‖ and loss on the first screen`, async () => {
    const page = await ctx.browser.newPage({ viewport: { width, height } });
    await page.goto(`${ctx.server.origin}/?mode=lecture&backend=cpu`);
    await ready(page);
    await page.click('#play');
    await waitSteps(page, 200);
    await page.click('#play');
    await page.waitForTimeout(400);
    const over = await horizontalOverflow(page);
    assert.deepEqual(over.elements, [], `overflowing: ${over.elements.join(', ')}`);
    assert.ok(over.scroll <= 0, `page scrolls ${over.scroll}px sideways`);
    for (const sel of ['h1', '.claim', '#play', '#eta', '#wd', '#momentum', '#theory', '.chart[data-key="lr"]', '.chart[data-key="wnorm"]', '.chart[data-key="loss"]']) {
      assert.ok(await onFirstScreen(page, sel), `${sel} is not on the first screen at ${width}×${height}`);
    }
    const font = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    assert.ok(font >= 18, `lecture type ${font}px`);
    await page.close();
  });
}

for (const width of [700, 360, 320]) {
  test(`embed mode at ${width} px: compact, Play, the claim's charts, a link to the full demo, no sideways scroll`, async () => {
    const page = await ctx.browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(`${ctx.server.origin}/?embed=1&backend=cpu`);
    await ready(page);
    const over = await horizontalOverflow(page);
    assert.deepEqual(over.elements, [], `overflowing: ${over.elements.join(', ')}`);
    assert.ok(over.scroll <= 0);
    assert.ok(await page.isVisible('#play'));
    assert.ok(await page.isVisible('#fulldemo'));
    const href = await page.getAttribute('#fulldemo', 'href');
    assert.doesNotMatch(href, /embed=/);
    const keys = await page.$$eval('.chart', (cs) => cs.map((c) => c.dataset.key));
    assert.deepEqual(keys, ['lr', 'wnorm', 'loss', 'efflr']);
    const tall = await page.evaluate(() => Math.ceil(document.querySelector('main').getBoundingClientRect().height));
    console.log(`embed at ${width} px: ${tall} px tall`);
    if (width === 700) assert.ok(tall <= 700, `embed is ${tall}px tall at 700px`);
    await page.close();
  });
}

for (const width of [320, 390, 768, 1024, 1440]) {
  test(`the normal page at ${width} px has no horizontal overflow`, async () => {
    const page = await ctx.browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(`${ctx.server.origin}/?backend=cpu&schedule=step`);
    await ready(page);
    await page.click('#step');
    await waitSteps(page, 1);
    await page.waitForTimeout(300);
    const over = await horizontalOverflow(page);
    assert.deepEqual(over.elements, [], `overflowing at ${width}px: ${over.elements.join(', ')}`);
    assert.ok(over.scroll <= 0, `page scrolls ${over.scroll}px sideways`);
    // The formula panel scrolls sideways if it must; its formulas fit without it.
    const theory = await page.$eval('#theory', (e) => ({ scroll: e.scrollWidth - e.clientWidth, live: e.getAttribute('aria-live') }));
    assert.ok(theory.scroll <= 1, `the formulas are cut at ${width}px (${theory.scroll}px hidden)`);
    assert.equal(theory.live, 'off', 'the panel is rebuilt several times a second: not read out');
    assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /\^[−-]/, 'no caret notation in the text');
    await page.close();
  });
}

/** Loads `url` at `width`×`height` and resolves to its cumulative layout shift over its first seconds, with each shift's elements. */
async function layoutShift(url, width, height) {
  const page = await ctx.browser.newPage({ viewport: { width, height } });
  await page.addInitScript(() => {
    window.__cls = 0;
    window.__shifts = [];
    const name = (n) => (n ? `${n.nodeName.toLowerCase()}${n.id ? `#${n.id}` : ''}${n.className && typeof n.className === 'string' ? `.${n.className.split(' ')[0]}` : ''}` : '(gone)');
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        window.__cls += e.value;
        const moved = e.sources.map((s) => `${name(s.node)} y ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}, h ${Math.round(s.previousRect.height)}→${Math.round(s.currentRect.height)}`);
        window.__shifts.push(`${Math.round(e.startTime)} ms: ${e.value.toFixed(4)} (${moved.join('; ')})`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${ctx.server.origin}${url}`);
  await ready(page);
  // The toy, the first boundary grid and the engine notices arrive in the next seconds.
  await page.waitForTimeout(3000);
  const got = await page.evaluate(() => ({ cls: window.__cls, shifts: window.__shifts }));
  await page.close();
  console.log(`${url} at ${width}×${height}: cumulative layout shift ${got.cls.toFixed(4)}`);
  for (const s of got.shifts) console.log(`  ${s}`);
  return got;
}

for (const [width, height, device] of [[1350, 940, 'desktop'], [412, 823, 'mobile']]) {
  test(`the page, the embed and a tour scene start without layout shift (${device}, ${width}×${height}): CLS ≤ 0.1`, async () => {
    for (const url of ['/', '/?embed=1', '/?tour=2']) {
      // Before: 0.106 / 0.45 (page) and 0.378 / 0.588 (embed), desktop / mobile; a tour scene
      // whose card the page script drew: 0.023 / 0.130. A load's shift depends on when the
      // browser paints, so one load over the bound is loaded again (its shifts are printed);
      // the second must be within it too.
      let { cls, shifts } = await layoutShift(url, width, height);
      if (cls > 0.1) {
        console.log(`  ${url}: over the bound on the first load; loading it again`);
        ({ cls, shifts } = await layoutShift(url, width, height));
      }
      assert.ok(cls <= 0.1, `${url}: CLS ${cls}; shifts: ${shifts.join(' | ')}`);
    }
  });
}

test('PNG export is one composed, opaque figure at 2× resolution', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=20');
  await ready(page);
  await page.click('#play');
  await waitSteps(page, 100);
  await page.click('#play');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  assert.equal(png.suggestedFilename(), 'explr-figure.png');
  const bytes = await (await png.createReadStream()).toArray().then((b) => Buffer.concat(b));
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  console.log(`figure: ${width}×${height} px, ${bytes.length} bytes`);
  assert.ok(width >= 3000 && height >= 1200, `${width}×${height}`);
  // Decode it in the page and check every pixel is opaque and the panels are not blank.
  const layout = await page.evaluate(() => window.__explr.figureLayout());
  const check = await page.evaluate(async ({ b64, list, W }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let transparent = 0;
    let dark = 0;
    const coloured = list.map(() => 0);
    const ratio = c.width / W;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] !== 255) transparent += 1;
      if (d[i] < 128 && d[i + 1] < 128 && d[i + 2] < 128) dark += 1;
      // Coloured (run) pixels, per panel of the figure's layout.
      const [r, g2, b] = [d[i], d[i + 1], d[i + 2]];
      if (Math.max(r, g2, b) - Math.min(r, g2, b) > 80) {
        const px = ((i / 4) % c.width) / ratio;
        const py = Math.floor(i / 4 / c.width) / ratio;
        const k = list.findIndex((p) => px >= p.x && px < p.x + p.w && py >= p.y && py < p.y + p.h);
        if (k >= 0) coloured[k] += 1;
      }
    }
    return { transparent, dark, panels: coloured, pixels: d.length / 4 };
  }, { b64: bytes.toString('base64'), list: layout.panels, W: layout.W });
  assert.equal(check.panels.length, 9, 'nine charts in the figure');
  assert.equal(check.transparent, 0, `${check.transparent} transparent pixels`);
  assert.ok(check.dark > check.pixels * 0.002, 'the figure has text and axes');
  check.panels.forEach((n, i) => assert.ok(n > 500, `panel ${i} has ${n} coloured pixels: no curves drawn`));
  assert.deepEqual(log.errors, []);
  await page.close();
});
