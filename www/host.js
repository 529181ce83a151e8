// What the page answers from outside it: the keyboard (and presentation clickers), the tab
// being hidden, a slide deck's messages and, in an embed, the frame's height for its host.

/** Keys that move between the tour's scenes: clickers send Page Up / Down. */
const TOUR_KEYS = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };

/**
 * Wires the page's keys and its host. `app`: the page's element; `embed`: whether it is the
 * embed view; `tour()`: the tour when one is shown, else null; `playing()`, `togglePlay()`,
 * `step()`, `restart()`: the run's controls.
 */
export function connectHost({ app, embed, tour, playing, togglePlay, step, restart }) {
  const inControl = (e) => e.target.closest && e.target.closest('input, select, textarea');
  // In the tour the arrows and Page Up / Down move between scenes, wherever the focus is but
  // in a control that needs them.
  document.addEventListener('keydown', (e) => {
    if (!tour() || !TOUR_KEYS[e.key] || inControl(e)) return;
    e.preventDefault();
    tour().move(TOUR_KEYS[e.key]);
  });
  app.addEventListener('keydown', (e) => {
    if (e.target.closest('input, select, textarea, button, a') || (tour() && TOUR_KEYS[e.key])) return;
    if (e.key === ' ') {
      e.preventDefault();
      togglePlay();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      step();
    } else if (e.key === 'r' || e.key === 'R') {
      restart();
    }
  });
  // A hidden tab pauses, and goes on from the same step when shown again.
  let resumeOnShow = false;
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && playing()) {
      resumeOnShow = true;
      togglePlay();
    } else if (!document.hidden && resumeOnShow) {
      resumeOnShow = false;
      if (!playing()) togglePlay();
    }
  });
  if (window.parent === window) return;
  // reveal.js posts 'slide:start' / 'slide:stop' into the frames of the slide it shows and
  // leaves: a tour scene runs (the full demo plays), and both pause.
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent) return;
    if (e.data === 'slide:start') {
      if (tour() && tour().waiting) tour().reveal(null);
      else if (!tour() && !playing()) togglePlay();
    } else if (e.data === 'slide:stop' && playing()) togglePlay();
  });
  // An embed tells its host how tall it is (explr-demo.js sizes the frame to it).
  if (embed) {
    new ResizeObserver(() => {
      window.parent.postMessage({ type: 'explr:height', height: document.documentElement.scrollHeight }, '*');
    }).observe(document.body);
  }
}
