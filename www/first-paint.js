// What the page shows before its own script has arrived, laid out as it will stay: the formula
// panel with its rows waiting for the engine's numbers, only the controls that the link's
// schedule uses, and a tour scene's card. Run from the entry (main.js) before the first paint; app.js reuses both.
import { theoryPanel } from './theory.js';
import { Tour } from './tour.js';

/** Shows the step-decay controls only for a step-decay schedule. */
export function scheduleFields(state) {
  for (const id of ['milestones', 'factor', 'texp']) {
    const label = document.getElementById(id)?.closest('label');
    if (label) label.hidden = state.schedule !== 'step';
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
