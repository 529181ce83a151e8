// Profiler (not a test): samples the training worker's CPU time while the default
// configuration plays in headless Chromium, and prints the functions that took the most. This
// is how the per-export constructor rerun was found. Needs a built dist/; wasm-opt strips the
// function names, so build with `EXPLR_SKIP_WASM_OPT=1 npm run build` to see them.
// Usage: node scripts/profile.mjs [webgpu|cpu] [milliseconds] [extra query, e.g. chaos=0&precision=f32]
import { ready, serve, waitSteps, withBrowser } from '../tests/e2e/harness.mjs';

const backend = process.argv[2] || 'webgpu';
const duration = Number(process.argv[3]) || 15000;
const extra = process.argv[4] ? `&${process.argv[4]}` : '';
const server = await serve();
await withBrowser({ webgpu: backend === 'webgpu' }, async (browser) => {
  const cdp = await browser.newBrowserCDPSession();
  const page = await browser.newPage();
  await page.goto(`${server.origin}/?backend=${backend}&speed=5${extra}`);
  await ready(page, 300000);
  await page.click('#step');
  await waitSteps(page, 1, 300000);

  // Talk to the workers through the browser session (workers have no page of their own). The
  // page has two (training and toy); both are profiled and the busier one is reported.
  const { targetInfos } = await cdp.send('Target.getTargets');
  const workers = targetInfos.filter((t) => t.type === 'worker');
  const sessions = [];
  for (const w of workers) sessions.push((await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false })).sessionId);
  let id = 0;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    if (m.id && waiting.has(m.id)) {
      waiting.get(m.id)(m.result);
      waiting.delete(m.id);
    }
  });
  const send = (sessionId, method, params = {}) => new Promise((resolve) => {
    id += 1;
    waiting.set(id, resolve);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
  });

  for (const sid of sessions) {
    await send(sid, 'Profiler.enable');
    await send(sid, 'Profiler.setSamplingInterval', { interval: 500 });
    await send(sid, 'Profiler.start');
  }
  const before = await page.evaluate(() => Number(document.body.dataset.steps));
  await page.click('#play');
  await new Promise((r) => setTimeout(r, duration));
  await page.click('#play');
  const profiles = [];
  for (const sid of sessions) profiles.push((await send(sid, 'Profiler.stop')).profile);
  const steps = (await page.evaluate(() => Number(document.body.dataset.steps))) - before;

  const tally = (profile) => {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    for (const sample of profile.samples) {
      const { functionName, url } = nodes.get(sample).callFrame;
      const key = `${functionName || '(anonymous)'}  ${url.split('/').pop()}`;
      self.set(key, (self.get(key) || 0) + 1);
    }
    return { self, total: profile.samples.length, busy: profile.samples.length - (self.get('(idle)  ') || 0) };
  };
  const { self, total } = profiles.map(tally).sort((a, b) => b.busy - a.busy)[0];
  console.log(`${backend}: ${steps} steps in ${duration} ms; worker self time by function (${total} samples):`);
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(6)} %  ${key}`);
  }
});
await server.close();
