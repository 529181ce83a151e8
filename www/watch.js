// Watches each run's metrics for a run that has stopped moving, and says in words what
// happened to it: the page would otherwise show a flat curve and leave the reader guessing.
import { fmt } from './format.js';

/** Below this angle per step (rad) a run counts as not moving. */
export const STALL_ANGLE = 1e-10;
/** A run that has not moved for this many steps in a row has stopped. */
export const STALL_STEPS = 200;

/**
 * The share of the points of decision grid `grid` ({res, classes, probs}: per run, per point,
 * the class probabilities) where run `k` predicts every class exactly alike, or null.
 */
export function undecided(grid, k) {
  if (!grid) return null;
  const n = grid.res * grid.res;
  const c = grid.classes;
  if (grid.probs.length < (k + 1) * n * c) return null;
  let flat = 0;
  for (let i = 0; i < n; i += 1) {
    const at = (k * n + i) * c;
    let same = true;
    for (let j = 1; j < c && same; j += 1) same = grid.probs[at + j] === grid.probs[at];
    if (same) flat += 1;
  }
  return flat / n;
}

/** Tracks, per run, since when it has not moved; reports each run that stopped once. */
export class RunWatch {
  /** `runs`: [{label, short, index, role}]; `norm`: the settings' normalization. */
  constructor(runs, norm) {
    this.runs = runs.filter((r) => r.role !== 'control');
    this.norm = norm;
    this.since = new Map();
    this.told = new Set();
  }

  /**
   * Feeds a batch of the engine's step metrics; returns a sentence for each run that has just
   * been seen to stop moving ([] mostly). `grid` is the latest decision-boundary grid
   * ({res, classes, probs}) or null.
   */
  feed(steps, grid = null) {
    const out = [];
    for (const s of steps) {
      for (const run of this.runs) {
        const m = s.runs[run.index];
        if (!m || this.told.has(run.index)) continue;
        const still = Number.isFinite(m.angular_update) && m.angular_update < STALL_ANGLE;
        if (!still) {
          this.since.delete(run.index);
          continue;
        }
        if (!this.since.has(run.index)) this.since.set(run.index, s.step);
        if (s.step - this.since.get(run.index) + 1 >= STALL_STEPS) {
          this.told.add(run.index);
          out.push(this.sentence(run, m, this.since.get(run.index), undecided(grid, run.index)));
        }
      }
    }
    return out;
  }

  /**
   * Why run `run` (metrics `m`) stopped moving at step `from`, in words; `flat` is the share of
   * the decision grid where its prediction is exactly uniform (null: unknown).
   */
  sentence(run, m, from, flat) {
    const lead = `${run.short} has stopped moving since step ${from}: its weights turn by ${fmt(m.angular_update)} rad per step (under ${STALL_ANGLE} for ${STALL_STEPS} steps), its loss stays at ${fmt(m.loss)}.`;
    if (this.norm === 'none') {
      const dead = flat !== null && flat > 0.5
        ? ` On ${Math.round(100 * flat)}% of the decision grid its prediction is exactly uniform: every ReLU unit is off there, and a unit that no input switches on gets no gradient, so no learning rate, however large, moves it again.`
        : ' Its growing steps have carried it where its gradient (almost) vanishes.';
      return `${lead} Without a normalization its gradient no longer shrinks as its weights grow, so its growing learning rate made its steps ever larger against its weights, unlike A’s.${dead} The twin is no longer A rescaled.`;
    }
    return `${lead} Its effective learning rate η/‖w‖² has fallen to ${fmt(Math.exp(m.ln_effective_lr))}: steps too small to change its direction.`;
  }
}
