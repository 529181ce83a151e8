// Part `size` of `npm run bench`: where an engine's .wasm goes, per crate. It reads cargo's own
// output (before wasm-bindgen and wasm-opt, which drop the function names): the code section's
// function bodies, each named by the name section, summed by the crate that the (demangled)
// name starts with; the data section is one line of its own. What wasm-opt then removes
// shrinks every crate alike, roughly: the shares carry over to the shipped file.
import { readFileSync } from 'node:fs';

/** Reads an unsigned LEB128 at `at` in `b`: [value, next offset]. */
function leb(b, at) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    v += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [v, at];
    shift += 7;
  }
}

/** Reads a length-prefixed UTF-8 name at `at` in `b`: [text, next offset]. */
function name(b, at) {
  const [len, p] = leb(b, at);
  return [b.toString('utf8', p, p + len), p + len];
}

/** Skips a table's or memory's limits at `at` (a flag, the minimum, the maximum if flagged). */
function skipLimits(b, at) {
  const p = leb(b, at + 1)[1];
  return b[at] & 1 ? leb(b, p)[1] : p;
}

/** The first path of a legacy-mangled Rust symbol (`_ZN…E`), decoded: `<T as Trait>` or `krate`. */
function firstPath(name) {
  const m = /^_ZN(\d+)/.exec(name);
  if (!m) return name;
  const start = m[0].length;
  return name.slice(start, start + Number(m[1]))
    .replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ').replace(/\$RF\$/g, '&')
    .replace(/\$BP\$/g, '*').replace(/\$C\$/g, ',').replace(/\$u5b\$/g, '[').replace(/\.\./g, '::')
    .replace(/^_/, '');
}

/** The crate a Rust symbol belongs to: its type's crate for `<T as Trait>::f`. */
export function crateOf(name) {
  const path = firstPath(name);
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(path) && path !== name) return path;
  const s = path.replace(/^(<|&|mut |dyn |\*const |\*mut |\[)+/, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  if (m) return m[1];
  if (/^(__|_ZN|dl|mem|str|compiler_builtins)/.test(s)) return 'compiler_builtins and libc';
  return '(other)';
}

/** Bytes per crate of the function bodies in the wasm at `path`, plus data; sorted, largest first. */
export function crateSizes(path) {
  const b = readFileSync(path);
  let at = 8;
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let data = 0;
  while (at < b.length) {
    const id = b[at];
    let size;
    [size, at] = leb(b, at + 1);
    const end = at + size;
    if (id === 2) {
      // Imports: count the functions, which come first in the function index space.
      let [n, p] = leb(b, at);
      for (let i = 0; i < n; i += 1) {
        p = name(b, name(b, p)[1])[1]; // module and field
        const kind = b[p++];
        if (kind === 0) [, p] = leb(b, p);
        else if (kind === 1) p = skipLimits(b, p + 1); // element type, then limits
        else if (kind === 2) p = skipLimits(b, p);
        else if (kind === 3) p += 2;
        else if (kind === 4) [, p] = leb(b, p + 1);
        if (kind === 0) imported += 1;
      }
    } else if (id === 10) {
      let [n, p] = leb(b, at);
      for (let i = 0; i < n; i += 1) {
        let len;
        [len, p] = leb(b, p);
        bodies.push(len);
        p += len;
      }
    } else if (id === 11) {
      data = size;
    } else if (id === 0) {
      let [section, p] = name(b, at);
      if (section === 'name') {
        while (p < end) {
          const sub = b[p];
          let subSize;
          [subSize, p] = leb(b, p + 1);
          const subEnd = p + subSize;
          if (sub === 1) {
            let [n, q] = leb(b, p);
            for (let i = 0; i < n; i += 1) {
              let index;
              let fn;
              [index, q] = leb(b, q);
              [fn, q] = name(b, q);
              names.set(index, fn);
            }
          }
          p = subEnd;
        }
      }
    }
    at = end;
  }
  const byCrate = new Map();
  bodies.forEach((len, i) => {
    const fn = names.get(imported + i);
    const crate = fn ? crateOf(fn) : '(unnamed)';
    byCrate.set(crate, (byCrate.get(crate) || 0) + len);
  });
  byCrate.set('(data section)', data);
  const total = b.length;
  return { total, code: bodies.reduce((a, x) => a + x, 0), named: names.size, crates: [...byCrate].sort((x, y) => y[1] - x[1]) };
}
