// A chart's decimated history: at most `buckets` buckets of consecutive steps, each holding,
// per series, the smallest and largest value in it (in the order they occurred). When the
// buckets are full, neighbours merge and each bucket covers twice the steps. Appending is O(1)
// per value and drawing is O(buckets), whatever the number of steps: a min/max envelope keeps
// every spike visible.

/** Buckets per chart: at most twice as many points per run are drawn. */
export const BUCKETS = 300;

/**
 * Buckets for a chart of `series` curves: BUCKETS up to four, then fewer, so that a sweep's
 * dozens of curves cost a frame what four do (never under 40 per curve); always even.
 */
export const bucketsFor = (series) => 2 * Math.floor(Math.max(40, Math.min(BUCKETS, Math.floor((4 * BUCKETS) / Math.max(1, series)))) / 2);

/** Per-series min/max summaries over a bounded number of step buckets. */
export class Envelope {
  /** `series`: number of series; `buckets`: how many buckets (made even: buckets merge in pairs). */
  constructor(series, buckets = 400) {
    this.n = series;
    this.cap = Math.max(2, 2 * Math.floor(buckets / 2));
    buckets = this.cap;
    this.width = 1;
    this.count = 0;
    this.fill = 0;
    this.x0 = new Float64Array(buckets);
    this.x1 = new Float64Array(buckets);
    const make = () => Array.from({ length: series }, () => new Float64Array(buckets).fill(NaN));
    this.lo = make();
    this.hi = make();
    this.loAt = make();
    this.hiAt = make();
    this.lastX = null;
    this.last = new Float64Array(series).fill(NaN);
  }

  /** Adds the values of one step (NaN or null: no value for that series). */
  push(x, values) {
    if (this.count === 0 || this.fill >= this.width) {
      if (this.count === this.cap) this.merge();
      const b = this.count;
      this.count += 1;
      this.fill = 0;
      this.x0[b] = x;
      for (let s = 0; s < this.n; s += 1) {
        this.lo[s][b] = NaN;
        this.hi[s][b] = NaN;
      }
    }
    const b = this.count - 1;
    this.x1[b] = x;
    this.fill += 1;
    this.lastX = x;
    for (let s = 0; s < this.n; s += 1) {
      const v = values[s];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      this.last[s] = v;
      if (!(v >= this.lo[s][b])) {
        this.lo[s][b] = v;
        this.loAt[s][b] = x;
      }
      if (!(v <= this.hi[s][b])) {
        this.hi[s][b] = v;
        this.hiAt[s][b] = x;
      }
    }
  }

  /** Merges neighbouring buckets pairwise: half as many, each twice as wide. */
  merge() {
    const half = this.count / 2;
    for (let j = 0; j < half; j += 1) {
      const [a, b] = [2 * j, 2 * j + 1];
      this.x0[j] = this.x0[a];
      this.x1[j] = this.x1[b];
      for (let s = 0; s < this.n; s += 1) {
        const [lo, hi, loAt, hiAt] = [this.lo[s], this.hi[s], this.loAt[s], this.hiAt[s]];
        // Keep a's extreme unless b has a more extreme one (an empty bucket holds NaN).
        const takeLo = Number.isNaN(lo[b]) || lo[a] <= lo[b];
        const takeHi = Number.isNaN(hi[b]) || hi[a] >= hi[b];
        const l = takeLo ? a : b;
        const h = takeHi ? a : b;
        [lo[j], loAt[j], hi[j], hiAt[j]] = [lo[l], loAt[l], hi[h], hiAt[h]];
      }
    }
    this.count = half;
    this.width *= 2;
    this.fill = this.width;
  }

  /**
   * The decimated data for uPlot: [xs, ...series], two points per bucket (its extremes in the
   * order they occurred) once buckets hold several steps, one point per step before.
   */
  data() {
    const single = this.width === 1;
    const m = single ? this.count : 2 * this.count;
    const xs = new Array(m);
    const ys = Array.from({ length: this.n }, () => new Array(m));
    for (let b = 0; b < this.count; b += 1) {
      if (single) {
        xs[b] = this.x0[b];
        for (let s = 0; s < this.n; s += 1) ys[s][b] = val(this.lo[s][b]);
        continue;
      }
      xs[2 * b] = this.x0[b];
      xs[2 * b + 1] = this.x1[b];
      for (let s = 0; s < this.n; s += 1) {
        const loFirst = !(this.hiAt[s][b] < this.loAt[s][b]);
        const [first, second] = loFirst ? [this.lo[s][b], this.hi[s][b]] : [this.hi[s][b], this.lo[s][b]];
        ys[s][2 * b] = val(first);
        ys[s][2 * b + 1] = val(second);
      }
    }
    return [xs, ...ys];
  }
}

const val = (v) => (Number.isNaN(v) ? null : v);
