// Number formatting for labels, summaries and exports, including values known only by their
// logarithm (an LR or a weight norm far beyond the range of f64).

/** Compact formatting of an ordinary number; '—' for none. */
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? 'overflow' : '−overflow';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return v.toPrecision(4);
}

/** The value 10^l, given l: plain while it is modest, else "10^342.7" (never Infinity). */
export function fmtLog10(l) {
  if (l === null || l === undefined || Number.isNaN(l)) return '—';
  if (Math.abs(l) < 5) return fmt(10 ** l);
  if (Math.abs(l) < 300) {
    const e = Math.floor(l);
    return `${(10 ** (l - e)).toFixed(3)}e${e}`;
  }
  return `10^${l.toFixed(1)}`;
}

/** The value e^x, given x, formatted as fmtLog10 does. */
export const fmtLn = (x) => fmtLog10(x * Math.LOG10E);
