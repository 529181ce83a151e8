// Steps' metrics as the engine sends them: one Float64Array per chunk (src/packed.rs), laid out
// by the schema: a header [runs, layers, steps], then per step its number and, per run, the
// scalar metrics in SCHEMA.packed.scalars order followed by its layers' angular updates. The
// page reads the steps as objects ({step, runs: [{loss, …, layer_angular_updates}]}); a number
// the engine marks as absent (NaN: a test metric on a step without evaluation) reads as null.

import { SCHEMA } from './settings.gen.js';

const { header: HEADER, scalars: SCALARS } = SCHEMA.packed;
const num = (v) => (Number.isNaN(v) ? null : v);

/** The steps of a packed chunk; throws on an array whose length does not match its header. */
export function unpackSteps(a) {
  const [runs, layers, n] = a;
  const perRun = SCALARS.length + layers;
  const row = 1 + runs * perRun;
  if (a.length !== HEADER + n * row) throw new Error(`metrics: ${a.length} numbers where the header says ${HEADER + n * row}`);
  const steps = new Array(n);
  for (let s = 0, at = HEADER; s < n; s += 1) {
    const step = { step: a[at++], runs: new Array(runs) };
    for (let r = 0; r < runs; r += 1) {
      const m = {};
      for (const name of SCALARS) m[name] = num(a[at++]);
      m.layer_angular_updates = Array.from(a.subarray(at, at + layers));
      at += layers;
      step.runs[r] = m;
    }
    steps[s] = step;
  }
  return steps;
}

/** Steps packed as the engine packs them (the inverse of unpackSteps; null reads as NaN). */
export function packSteps(steps) {
  const runs = steps[0]?.runs.length || 0;
  const layers = steps[0]?.runs[0]?.layer_angular_updates?.length || 0;
  const out = [runs, layers, steps.length];
  for (const s of steps) {
    out.push(s.step);
    for (const r of s.runs) {
      for (const name of SCALARS) out.push(r[name] ?? NaN);
      for (let i = 0; i < layers; i += 1) out.push(r.layer_angular_updates?.[i] ?? NaN);
    }
  }
  return new Float64Array(out);
}
