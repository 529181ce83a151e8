// The page in every browser engine, beside the Chromium suite (tests/e2e): Firefox (Gecko) and
// WebKit (Safari's engine, run under a C locale on purpose). In each: the default page becomes
// ready and trains; the twins are exact in f64 in the page (angle ≤ 1e-12 over 300 steps); a
// malformed link gets its message; lecture mode at 1280×720 and the embed at 700 px have no
// horizontal overflow; a tour scene states its claim from the engine's numbers. Each engine's
// version is printed with its figures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../e2e/harness.mjs';
import { firefox, webkit } from './drivers.mjs';

const ready = (d) => d.waitFor(() => document.body.dataset.ready === '1', null, 90000);
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
