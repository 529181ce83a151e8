// What the page shows before its own script has arrived, laid out as it will stay: the formula
// panel with its rows waiting for the engine's numbers, only the controls that the link's
// schedule uses, and a tour scene's card. Run from the entry (main.js) before the first paint; app.js reuses both.
import { theoryPanel } from './theory.js';
import { Tour } from './tour.js';

/** The controls each schedule uses beside its own select (run C's; constant has none). */
const SCHEDULE_CONTROLS = {
  step: ['milestones', 'factor', 'wd_schedule', 'texp'],
  cosine: ['warmup', 'total', 'floor', 'wd_schedule', 'texp'],
  linear: ['warmup', 'total', 'floor', 'wd_schedule', 'texp'],
  list: ['milestones', 'lrs', 'factor', 'wd_schedule', 'texp'],
};

/** Shows only the controls the link's schedule uses. */
export function scheduleFields(state) {
  const shown = SCHEDULE_CONTROLS[state.schedule] || [];
  for (const id of new Set(Object.values(SCHEDULE_CONTROLS).flat())) {
    const label = document.getElementById(id)?.closest('label');
    if (label) label.hidden = !shown.includes(id);
  }
}

/** Lays out the parts of the page that depend on `state` before the page's script runs. */
export function firstPaint(state) {
  scheduleFields(state);
  document.getElementById('theory')?.replaceChildren(theoryPanel(state, null, null));
  const root = document.getElementById('tour');
  if (state.tour && root) new Tour({ root }).show(state.tour);
  document.documentElement.classList.add('tour-drawn');
}
