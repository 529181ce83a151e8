// Firefox and WebKit behind one small interface, for the cross-engine tests: Firefox through
// puppeteer-core over WebDriver BiDi (Debian's firefox-esr), WebKit through WebKitWebDriver and
// MiniBrowser (Debian's WebKitGTK) with classic WebDriver (selenium-webdriver) under Xvfb. No
// browser is downloaded. Each driver: {name, version, goto(url), eval(fn, arg), click(selector),
// select(selector, value), waitFor(fn, arg, timeout), size(width, height), errors(), close()}.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import puppeteer from 'puppeteer-core';
import { Builder, By } from 'selenium-webdriver';

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Rejects after `ms` with `what`: a WebDriver session without a display hangs instead of failing. */
const within = (ms, what, promise) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);

/** Polls `check()` every 200 ms until it is truthy or `timeout` ms have passed. */
async function poll(check, timeout, what) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Firefox ESR, headless, over WebDriver BiDi; `webgpu`: with WebGPU switched on (its adapter is
 * Mesa's lavapipe here), compiling its shaders into the Mesa cache `shaderCache` if given (an
 * empty folder: the slow first compile a new visitor gets).
 */
export async function firefox({ webgpu = false, shaderCache = null } = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    protocolTimeout: 180000,
    ...(webgpu ? { extraPrefsFirefox: { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true } } : {}),
    ...(shaderCache ? { env: { ...process.env, MESA_SHADER_CACHE_DIR: shaderCache } } : {}),
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return {
    name: 'Firefox',
    version: await browser.version(),
    goto: (url) => page.goto(url),
    eval: (fn, arg) => page.evaluate(fn, arg),
    click: (sel) => page.click(sel),
    select: (sel, value) => page.select(sel, value),
    waitFor: (fn, arg, timeout = 60000) => page.waitForFunction(fn, { timeout, polling: 200 }, arg),
    size: (width, height) => page.setViewport({ width, height }),
    errors: () => errors.splice(0),
    close: () => browser.close(),
  };
}

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/**
 * WebKitGTK's MiniBrowser under Xvfb, its process environment `lang` (a `C` locale on purpose:
 * WebKit then reports navigator.language === 'C'). It has no console endpoint: errors are
 * recorded by the page's own hooks, installed after each load.
 */
export async function webkit({ lang = 'C.UTF-8' } = {}) {
  if (!existsSync(MINIBROWSER)) throw new Error(`${MINIBROWSER} is missing: run scripts/setup.sh`);
  const children = [];
  const env = { ...process.env, LANG: lang, LC_ALL: lang, WEBKIT_DISABLE_DMABUF_RENDERER: '1' };
  if (!env.DISPLAY) {
    env.DISPLAY = `:${90 + Math.floor(Math.random() * 9)}`;
    children.push(spawn('Xvfb', [env.DISPLAY, '-screen', '0', '1400x1000x24', '-nolisten', 'tcp'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 700));
  }
  const port = await freePort();
  children.push(spawn('WebKitWebDriver', [`--port=${port}`], { env, stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 700));
  const kill = () => children.forEach((c) => c.kill());
  let driver;
  try {
    driver = await within(60000, 'WebKitWebDriver session', new Builder().usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } }).build());
  } catch (e) {
    kill();
    throw e;
  }
  const run = (fn, arg) => driver.executeScript(`return (${fn})(arguments[0]);`, arg);
  const hook = () => run(() => {
    if (window.__errs) return;
    window.__errs = [];
    window.addEventListener('error', (e) => window.__errs.push(`uncaught: ${e.message}`));
    window.addEventListener('unhandledrejection', (e) => window.__errs.push(`unhandled: ${e.reason}`));
  });
  return {
    name: 'WebKit',
    version: (await driver.getCapabilities()).get('browserVersion'),
    async goto(url) {
      await driver.get(url);
      await hook();
    },
    eval: run,
    click: async (sel) => (await driver.findElement(By.css(sel))).click(),
    select: (sel, value) => run(([q, v]) => {
      const e = document.querySelector(q);
      e.value = v;
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, [sel, value]),
    waitFor: (fn, arg, timeout = 60000) => poll(() => run(fn, arg), timeout, String(fn).slice(0, 80)),
    size: (width, height) => driver.manage().window().setRect({ width, height }),
    errors: async () => (await run(() => (window.__errs || []).splice(0))) || [],
    async close() {
      await driver.quit().catch(() => {});
      kill();
    },
  };
}
