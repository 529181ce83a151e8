// The metric history of a training session, kept in columns of f64 (no object per step), in
// bounded memory: once `capacity` rows are held, every other row is dropped and only every
// second step is kept from then on (the stride doubles). What is kept is always every
// `stride`-th step, from the first, plus the latest step; exports say so.

import { SCHEMA } from './settings.gen.js';

/**
 * Per-run columns: the engine's metrics that the export reads (SCHEMA.csv, one table in Rust),
 * and the stored scale the charts read.
 */
export const COLUMNS = [...new Set([...SCHEMA.csv.map((c) => c.metric), 'ln_stored_scale'])];

/** Bytes of f64 columns the history may hold, whatever the number of steps. */
export const HISTORY_BYTES = 24 * 1024 * 1024;

const num = (v) => (v === null || v === undefined ? NaN : v);

/** A bounded, columnar record of every run's metrics over the steps. */
export class History {
  /** `runs`: number of runs; `capacity`: rows kept (default: what fits in HISTORY_BYTES). */
  constructor(runs, capacity = 0) {
    this.runs = runs;
    const perRow = 8 * (1 + runs * COLUMNS.length);
    this.capacity = Math.max(64, 2 * Math.floor((capacity || HISTORY_BYTES / perRow) / 2));
    this.stride = 1;
    this.length = 0;
    this.steps = new Float64Array(this.capacity);
    this.cols = Array.from({ length: runs }, () => COLUMNS.map(() => new Float64Array(this.capacity)));
    this.lastStep = null;
    this.firstStep = null;
  }

  /** Appends the engine's step metrics ({step, runs: [...]}) in order. */
  append(steps) {
    for (const s of steps) {
      if (this.firstStep === null) this.firstStep = s.step;
      this.lastStep = s;
      if ((s.step - this.firstStep) % this.stride !== 0) continue;
      if (this.length === this.capacity) this.halve();
      if ((s.step - this.firstStep) % this.stride !== 0) continue;
      const i = this.length;
      this.steps[i] = s.step;
      s.runs.forEach((r, k) => {
        const cols = this.cols[k];
        if (!cols) return;
        COLUMNS.forEach((name, c) => {
          cols[c][i] = num(r[name]);
        });
      });
      this.length += 1;
    }
  }

  /** Keeps every other row and doubles the stride. */
  halve() {
    const keep = (a) => {
      let j = 0;
      for (let i = 0; i < this.length; i += 1) {
        if ((this.steps[i] - this.firstStep) % (2 * this.stride) === 0) a[j++] = a[i];
      }
      return j;
    };
    for (const run of this.cols) for (const col of run) keep(col);
    // The step column last: the test above reads it.
    this.length = keep(this.steps);
    this.stride *= 2;
  }

  /** The value of column `name` of run `k` at row `i` (NaN where there is none). */
  value(i, k, name) {
    return this.cols[k][COLUMNS.indexOf(name)][i];
  }

  /** Every kept step as the engine's objects ({step, runs: [{loss, …}]}); the latest last. */
  toObjects() {
    const out = [];
    for (let i = 0; i < this.length; i += 1) out.push(this.row(i));
    if (this.lastStep && (!out.length || out.at(-1).step !== this.lastStep.step)) out.push(this.row(-1));
    return out;
  }

  /** Row `i` as an object; -1 is the latest step. */
  row(i) {
    if (i === -1) {
      const s = this.lastStep;
      return { step: s.step, runs: s.runs.map((r) => Object.fromEntries(COLUMNS.map((n) => [n, nullIfNaN(num(r[n]))]))) };
    }
    return {
      step: this.steps[i],
      runs: this.cols.map((cols) => Object.fromEntries(COLUMNS.map((n, c) => [n, nullIfNaN(cols[c][i])]))),
    };
  }

  /** Bytes held by the columns. */
  get bytes() {
    return 8 * this.capacity * (1 + this.runs * COLUMNS.length);
  }
}

const nullIfNaN = (v) => (Number.isNaN(v) ? null : v);

/**
 * Each run's settled angular update (mean over the engine's settled share, the last quarter, of
 * the kept steps: `explr sweep` averages the same share of its steps) and last test accuracy,
 * from History `store`: [{delta, accuracy}] in run order.
 */
export function settled(store, runs) {
  const n = store.length;
  const from = Math.floor(n * (1 - SCHEMA.sweep.settled_fraction));
  return Array.from({ length: runs }, (_, k) => {
    let sum = 0;
    let count = 0;
    for (let i = from; i < n; i += 1) {
      const v = store.value(i, k, 'angular_update');
      if (Number.isFinite(v)) {
        sum += v;
        count += 1;
      }
    }
    let accuracy = null;
    for (let i = n - 1; i >= 0 && accuracy === null; i -= 1) {
      const a = store.value(i, k, 'test_accuracy');
      if (Number.isFinite(a)) accuracy = a;
    }
    return { delta: count ? sum / count : null, accuracy };
  });
}
