// The settings' controls in index.html, filled from the field table at build time (a Vite
// plugin, vite.config.js): each <select name="K"> gets FIELDS[K]'s values as its options and
// each number or range input FIELDS[K]'s range, so index.html holds no enum values or ranges —
// they are Rust's (settings.gen.js) or state.js's own. The option texts are the page's words.

/** What the page calls a value, where its name alone would not do. */
export const OPTION_LABELS = {
  schedule: { step: 'step decay (+ C, D)', cosine: 'cosine (+ C, D)', linear: 'linear decay (+ C, D)', list: 'LR list (+ C, D)' },
  texp: { exact: 'exact twin (§4)', approx: 'approx. TEXP (§5)' },
  wd_schedule: { constant: 'constant λ', tied: 'tied to its LR: λ·ηₜ/η' },
  init: { exact: 'exact ṽ₀ = κθ₀', naive: 'naive ṽ₀ = 0' },
  norm: { batch: 'BatchNorm', group: 'GroupNorm', layer: 'LayerNorm', instance: 'InstanceNorm (CNN)' },
  net: { invariant: 'scale-invariant', standard: 'affine, trained head' },
  dataset: { xor: 'XOR', mnist: 'MNIST (CNN)' },
  backend: { webgpu: 'WebGPU', cpu: 'CPU (wasm)' },
  precision: { f64: 'f64 (CPU)' },
  time: { steps: 'steps', intrinsic: 'steps × λη (intrinsic)' },
  toy: { bn_regression: 'BN’d regression', plain_regression: 'no BN: w₁² + (w₂−1)²', ratio: 'x²/(x²+y²)' },
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/**
 * `html` with its empty setting selects and its number/range inputs filled from `fields`
 * (state.js FIELDS); a control naming no such field is an error, not a silent gap.
 */
export function fillControls(html, fields) {
  const field = (key, want) => {
    const f = fields[key];
    if (!f || f[want] === undefined) throw new Error(`index.html: control "${key}" has no field with ${want} in the settings`);
    return f;
  };
  return html
    .replace(/<select id="([a-z_]+)" name="\1"><\/select>/g, (_, key) => {
      const options = field(key, 'values').values.map((v) => `<option value="${esc(v)}">${esc((OPTION_LABELS[key] || {})[v] || v)}</option>`);
      return `<select id="${key}" name="${key}">${options.join('')}</select>`;
    })
    .replace(/<input id="([a-z_]+)" name="\1" type="(number|range)"/g, (m, key) => {
      const f = field(key, 'min');
      return `${m} min="${f.min}" max="${f.max}"`;
    });
}

/** The attributes of <explr-demo>: every URL key of the page but `embed` (the element sets it). */
export const embedParams = (fields) => Object.keys(fields).filter((k) => k !== 'embed');
