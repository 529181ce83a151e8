// The page's entry, kept small so that it runs before the page is first laid out: it starts the
// CPU engine's worker for the link's settings (boot.js), then loads the page itself (app.js),
// which adopts that worker. The engine's thread, module and wasm compile thus overlap the
// loading and building of the page instead of following them.
import 'uplot/dist/uPlot.min.css';
import { parsed } from './boot.js';
import { firstPaint } from './first-paint.js';

// Laid out for the link's settings at the first paint: nothing moves when app.js arrives.
firstPaint(parsed.state);

// Whatever locale the browser reports must not stop the page: WebKit under a C locale reports
// navigator.language === 'C', which Intl rejects — and uPlot makes its number format from it
// when app.js imports it. The page's own text does not depend on the locale.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
}

import('./app.js').catch((e) => {
  const box = document.getElementById('messages');
  if (box) box.textContent = `The page could not load its script (${e.message}); reload to try again.`;
});
