// The metrics transport (www/packed.js): the layout is the schema's, packing and unpacking are
// inverse, an absent number reads as null, and an array that does not match its header is
// refused. (The engine's side, src/packed.rs, is tested against its own metrics in Rust; every
// browser test reads real packed chunks.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packSteps, unpackSteps } from '../../www/packed.js';
import { SCHEMA } from '../../www/settings.gen.js';

const run = (k, test) => ({
  ...Object.fromEntries(SCHEMA.packed.scalars.map((name, i) => [name, k * 100 + i + 0.5])),
  test_loss: test ? 0.25 : null,
  test_accuracy: test ? 0.75 : null,
  layer_angular_updates: [k * 1e-3, k * 2e-3],
});

test('packed metrics: the schema layout, inverse of packing, absent test metrics read as null', () => {
  const names = SCHEMA.packed.scalars;
  for (const m of ['loss', 'ln_lr', 'angle', 'ln_stored_scale', 'test_loss']) assert.ok(names.includes(m), m);
  for (const c of SCHEMA.csv) assert.ok(names.includes(c.metric), `the export's ${c.metric} is packed`);
  const steps = [1, 2, 3].map((step) => ({ step, runs: [run(0, step === 2), run(1, step === 2), run(2, step === 2)] }));
  const a = packSteps(steps);
  assert.equal(a.length, SCHEMA.packed.header + 3 * (1 + 3 * (names.length + 2)));
  assert.deepEqual([...a.subarray(0, 3)], [3, 2, 3]);
  assert.deepEqual(unpackSteps(a), steps);
  assert.equal(unpackSteps(a)[0].runs[1].test_loss, null);
  assert.equal(unpackSteps(a)[1].runs[1].test_loss, 0.25);
  assert.deepEqual(unpackSteps(packSteps([])), []);
  assert.throws(() => unpackSteps(a.subarray(0, a.length - 1)), /header says/);
});
