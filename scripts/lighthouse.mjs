// Lighthouse (v12) scores of the built site: performance, accessibility, best practices, SEO and
// the cumulative layout shift, for the page and the embed, on Lighthouse's desktop and mobile
// settings, in Debian's Chromium. A script, not a test: Lighthouse is fetched from npm on the
// first run into node_modules/.cache (it is no dependency of the demo or of its tests).
// Usage: node scripts/lighthouse.mjs (after npm run build)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, serve } from '../tests/e2e/harness.mjs';

const VERSION = '12.2.3';
const dir = join(ROOT, 'node_modules', '.cache', `lighthouse-${VERSION}`);
if (!existsSync(join(dir, 'node_modules', 'lighthouse'))) {
  console.log(`lighthouse: installing lighthouse@${VERSION} into ${dir.slice(ROOT.length)}`);
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `lighthouse@${VERSION}`], { stdio: 'inherit' });
}
const mod = (p) => import(pathToFileURL(join(dir, 'node_modules', p)).href);
const { default: lighthouse } = await mod('lighthouse/core/index.js');
const { default: desktopConfig } = await mod('lighthouse/core/config/desktop-config.js');
const chromeLauncher = await mod('chrome-launcher/dist/index.js');

const server = await serve();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  for (const [device, config] of [['desktop', desktopConfig], ['mobile', undefined]]) {
    for (const path of ['/', '/?embed=1']) {
      const r = await lighthouse(`${server.origin}${path}`, { port: chrome.port, logLevel: 'error', output: 'json' }, config);
      const { categories, audits } = r.lhr;
      const score = (k) => Math.round(100 * categories[k].score);
      console.log(`lighthouse ${VERSION}, ${device.padEnd(7)} ${path.padEnd(10)} performance ${score('performance')}, accessibility ${score('accessibility')}, ` +
        `best practices ${score('best-practices')}, SEO ${score('seo')}; CLS ${audits['cumulative-layout-shift'].numericValue.toFixed(3)}, ` +
        `LCP ${(audits['largest-contentful-paint'].numericValue / 1000).toFixed(2)} s, TBT ${Math.round(audits['total-blocking-time'].numericValue)} ms`);
    }
  }
} finally {
  await chrome.kill();
  await server.close();
}
