// The guided tour (headless Chromium, CPU engine, f64): every scene walked with the keyboard at
// 1280×720, each scene's claim asserted from the engine's own numbers, each scene within the
// first screen at 1280×720 and, in lecture mode, 1024×768; a scene embedded from another origin
// and driven by reveal.js's slide messages; a hidden tab pauses and resumes at the same step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { horizontalOverflow, open, ready, serve, useBrowser, waitSteps } from './harness.mjs';

const ctx = useBrowser();
const SCENES = 8;

/** Answers the scene's question with the keyboard (its first choice) and waits for the claim. */
async function answer(page) {
  await page.focus('#tour .tour-choice');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#tour[data-phase="done"]', { timeout: 120000 });
  return page.evaluate(() => window.__explr.tour);
}

/** How far the scene's card and charts reach below the first screen (px; ≤ 0: within it). */
const below = (page) => page.evaluate(() => {
  const parts = [document.getElementById('tour'), ...document.querySelectorAll('#plots figure')];
  return Math.max(...parts.map((e) => e.getBoundingClientRect().bottom)) - window.innerHeight;
});

test('the tour: every scene walked with the keyboard, its claim from the engine’s numbers, within the first screen', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu');
  await page.setViewportSize({ width: 1280, height: 720 });
  await ready(page);
  // The way in is on the first screen, in plain words.
  const link = await page.$eval('#tour-link', (a) => ({ bottom: a.getBoundingClientRect().bottom, href: a.getAttribute('href') }));
  assert.ok(link.bottom < 720, `the tour link sits at ${link.bottom}px`);
  await page.click('#tour-link');
  for (let k = 1; k <= SCENES; k += 1) {
    await page.waitForSelector(`#tour[data-scene="${k}"]`);
    assert.match(await page.evaluate(() => window.location.search), new RegExp(`tour=${k}`));
    await ready(page);
    const t = await answer(page);
    const v = t.result.values;
    console.log(`scene ${k}: ${JSON.stringify(v)}`);
    assert.ok(t.result.ok, `scene ${k}: ${JSON.stringify(t.result)}`);
    if (k === 1) {
      assert.ok(v.predictions <= 1e-12 && v.spread <= 1e-12 && v.radial <= 1e-12, JSON.stringify(v));
      assert.deepEqual(t.points.map((p) => p.c), [0.1, 0.3, 1, 3, 10]);
    }
    if (k === 2 || k === 4) assert.ok(v.loss <= 1e-12, `scene ${k}: loss difference ${v.loss}`);
    if (k === 4) assert.ok(v.weights <= 1e-12);
    const over = await horizontalOverflow(page);
    assert.deepEqual(over.elements, [], `scene ${k}`);
    assert.ok(over.scroll <= 0, `scene ${k}: ${over.scroll}px of horizontal scroll`);
    const out = await below(page);
    assert.ok(out <= 0, `scene ${k} reaches ${out}px below the first screen`);
    if (k < SCENES) await page.keyboard.press(k % 2 ? 'ArrowRight' : 'PageDown');
  }
  // And back.
  await page.keyboard.press('PageUp');
  await page.waitForSelector(`#tour[data-scene="${SCENES - 1}"]`);
  // Scene 2's "now you try": the reader's own rescaling keeps the loss curve too.
  await page.goto(`${ctx.server.origin}/?backend=cpu&tour=2`);
  await ready(page);
  await answer(page);
  await page.click('#tour .tour-try + button');
  await page.waitForSelector('#tour[data-phase="done"]');
  const again = await page.evaluate(() => window.__explr.tour.result.values.loss);
  assert.ok(again <= 1e-12, `after the reader's rescale: ${again}`);
  // Reset starts the scene again from its question, on a fresh run.
  await page.click('#reset');
  await page.waitForSelector('#tour[data-phase="question"] .tour-choice:not([disabled])');
  assert.equal(await page.evaluate(() => window.__explr.tour.scene), 2);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('every scene fits 1024×768 in lecture mode, large type, nothing cut off', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&mode=lecture&tour=1');
  await page.setViewportSize({ width: 1024, height: 768 });
  for (let k = 1; k <= SCENES; k += 1) {
    if (k > 1) await page.goto(`${ctx.server.origin}/?backend=cpu&mode=lecture&tour=${k}`);
    await ready(page);
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('lecture')));
    await answer(page);
    const over = await horizontalOverflow(page);
    assert.deepEqual(over.elements, [], `scene ${k}`);
    const out = await below(page);
    assert.ok(out <= 0, `scene ${k} reaches ${out}px below 768`);
  }
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a scene embedded from another origin reports its height; reveal.js’s messages reveal, play and pause', async () => {
  const post = `<!doctype html><html><head><meta charset="utf-8"><title>deck</title><link rel="icon" href="data:,">
<script src="${ctx.server.origin}/explr-demo.js"></script></head><body>
<explr-demo id="scene" tour="4" backend="cpu"></explr-demo><explr-demo id="plain" backend="cpu" speed="5"></explr-demo></body></html>`;
  const blog = await serve({ '/deck.html': post });
  try {
    const { page, log } = await open(ctx.browser, blog.origin, '/deck.html');
    const frameOf = async (id) => (await page.waitForSelector(`#${id} iframe`)).contentFrame();
    const scene = await frameOf('scene');
    await ready(scene);
    assert.equal(await scene.evaluate(() => window.__explr.tour.scene), 4);
    await page.waitForFunction(() => parseFloat(document.querySelector('#scene iframe').style.height) > 300, null, { timeout: 20000 });
    // reveal.js posts 'slide:start' into the frames of the slide it shows.
    await page.evaluate(() => document.querySelector('#scene iframe').contentWindow.postMessage('slide:start', '*'));
    await scene.waitForSelector('#tour[data-phase="done"]', { timeout: 60000 });
    assert.equal(await scene.evaluate(() => window.__explr.tour.result.ok), true);
    const plain = await frameOf('plain');
    await ready(plain);
    await page.evaluate(() => document.querySelector('#plain iframe').contentWindow.postMessage('slide:start', '*'));
    await plain.waitForSelector('#play[aria-pressed="true"]');
    await waitSteps(plain, 10);
    await page.evaluate(() => document.querySelector('#plain iframe').contentWindow.postMessage('slide:stop', '*'));
    await plain.waitForSelector('#play[aria-pressed="false"]');
    assert.deepEqual(log.errors, []);
    await page.close();
  } finally {
    await blog.close();
  }
});

test('a hidden tab pauses; shown again, it resumes at the same step', async () => {
  const { page, log } = await open(ctx.browser, ctx.server.origin, '/?backend=cpu&speed=5');
  await ready(page);
  await page.click('#play');
  await waitSteps(page, 30);
  const visibility = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { value: h, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await visibility(true);
  await page.waitForSelector('#play[aria-pressed="false"]');
  await page.waitForTimeout(500);
  const paused = await page.evaluate(() => window.__explr.last.step);
  await page.waitForTimeout(1000);
  assert.equal(await page.evaluate(() => window.__explr.last.step), paused, 'no step while hidden');
  await visibility(false);
  await page.waitForSelector('#play[aria-pressed="true"]');
  await waitSteps(page, paused + 20);
  const steps = await page.evaluate(() => window.__explr.history.map((s) => s.step));
  assert.ok(steps.every((s, i) => i === 0 || s === steps[i - 1] + 1), 'the history goes on without a gap or a restart');
  assert.deepEqual(log.errors, []);
  await page.close();
});
