// The guided tour's player: shows scene k of SCENES (scenes.js) in #tour — its words, its
// question, then, once the reader has answered (or asked to be shown), trains the scene's run
// on the engine and states the claim its figure makes from the engine's numbers. The page
// (app.js) builds the scene's run and charts when told to go to a scene (`go`), and hands the
// tour the session's events (`ready`, `metrics`, `probe`, `rescaled`).
import { PROBE_CS, SCENES, run } from './scenes.js';
import { defaults, toQuery } from './state.js';

/**
 * Scene k's settings as a full state (the rest defaults), with the viewer's `kept` choices —
 * but on the CPU engine in f64 whatever they are: each scene's claim is stated to f64's digits.
 */
export const sceneState = (k, kept = {}) => ({ ...defaults(), ...SCENES[k - 1].settings, ...kept, backend: 'cpu', precision: 'auto', tour: k });

/** The full demo with scene k's settings (its link). */
export const fullDemoLink = (k) => `${window.location.pathname}?${toQuery({ ...sceneState(k), tour: 0, embed: false, backend: 'auto' })}`;

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** One scene at a time, driven by the engine. */
export class Tour {
  /**
   * `root`: the #tour element; `session`: the engine's; `store()`: the page's History;
   * `runs()`: the engine's run views; `theory()`: the theorem's constants; `go(k)`: builds
   * scene k's run and charts (and calls `show`). Before the page's script has arrived
   * (first-paint.js) only `root` is given: the card is laid out, its buttons wait.
   */
  constructor({ root, session = null, store = () => null, runs = () => [], theory = () => null, go = () => {} }) {
    Object.assign(this, { root, session, store, runs, theory, go });
    this.k = 1;
    this.phase = 'question';
    this.result = null;
    this.points = null;
  }

  get scene() {
    return SCENES[this.k - 1];
  }

  /** Scene k's card, before the reader answers (the engine is being built for it). */
  show(k) {
    this.k = Math.max(1, Math.min(SCENES.length, k));
    this.result = null;
    this.points = null;
    this.guess = null;
    this.engineReady = false;
    this.root.dataset.scene = String(this.k);
    this.setPhase('question');
    this.render();
  }

  /** The next (+1) or previous (−1) scene, if there is one. */
  move(by) {
    const k = this.k + by;
    if (k >= 1 && k <= SCENES.length) this.go(k);
  }

  render() {
    const s = this.scene;
    const nav = el('nav', { className: 'tour-nav', ariaLabel: 'Scenes' },
      el('button', { type: 'button', className: 'tour-prev', textContent: '← Back', disabled: this.k === 1, onclick: () => this.move(-1) }),
      el('span', { className: 'tour-count', textContent: `Scene ${this.k} of ${SCENES.length}` }),
      el('button', { type: 'button', className: 'tour-next', textContent: this.k === SCENES.length ? 'Done' : 'Next →', disabled: this.k === SCENES.length, onclick: () => this.move(1) }),
      el('a', { className: 'tour-full', href: fullDemoLink(this.k), textContent: 'Open in the full demo ↗' }));
    const choices = el('div', { className: 'tour-choices', role: 'group', ariaLabel: 'Your answer' },
      ...s.question.choices.map((label, i) => el('button', { type: 'button', className: 'tour-choice', textContent: label, disabled: !this.engineReady, onclick: () => this.reveal(i) })),
      el('button', { type: 'button', className: 'tour-show small-button', textContent: 'Just show me', disabled: !this.engineReady, onclick: () => this.reveal(null) }));
    this.answer = el('div', { className: 'tour-answer', ariaLive: 'polite' });
    this.figure = el('div', { className: 'tour-figure' });
    this.root.replaceChildren(
      el('h2', { textContent: s.title }),
      ...s.text.map((t) => el('p', { textContent: t })),
      el('p', { className: 'tour-question', textContent: s.question.prompt }),
      choices,
      this.answer,
      this.figure,
      nav,
    );
    this.root.hidden = false;
  }

  /** The scene's run is built: the reader may answer. */
  onReady() {
    this.engineReady = true;
    if (this.phase !== 'question') return;
    for (const b of this.root.querySelectorAll('.tour-choice, .tour-show')) b.disabled = false;
  }

  /** The reader's answer `i` (null: none): train the scene's run, then say what came out. */
  reveal(i) {
    if (this.phase !== 'question' || !this.engineReady) return;
    this.guess = i;
    this.setPhase('running', this.scene.steps);
    for (const b of this.root.querySelectorAll('.tour-choice, .tour-show')) b.disabled = true;
    this.answer.textContent = 'Training on the engine…';
    const s = this.scene;
    if (s.rescale) {
      this.session.step(s.rescale.at);
      this.rescale(s.rescale.c);
      this.session.step(s.steps - s.rescale.at);
    } else this.session.step(s.steps);
  }

  /**
   * The scene's phase — question, running (until step `target`), probing, done — shown on the
   * card as data-phase.
   */
  setPhase(phase, target = this.target) {
    this.phase = phase;
    this.target = target;
    this.root.dataset.phase = phase;
  }

  /** Rescales the scene's run by `c` on the engine (the paper's exact map). */
  rescale(c) {
    this.session.rescale(run(this.runs(), this.scene.rescale.run), c);
  }

  /** Whether the scene waits for the reader (a slide's start reveals it). */
  get waiting() {
    return this.phase === 'question' && this.engineReady;
  }

  /** A chunk of steps arrived: when the scene's run is done, its claim (or the probe). */
  onMetrics() {
    const store = this.store();
    if (this.phase !== 'running' || !store || !store.lastStep || store.lastStep.step < this.target) return;
    if (this.scene.probe) {
      this.setPhase('probing');
      this.session.probe(0, PROBE_CS);
    } else this.finish({ store, runs: this.runs(), theory: this.theory() });
  }

  /** The probe's points: the figure, then the claim; a single c is the reader's own try. */
  onProbe({ points }) {
    if (this.phase === 'probing') {
      this.points = points;
      this.drawProbe(points);
      this.finish({ points });
    } else if (this.tryOut && points.length === 1) {
      const p = points[0];
      this.tryOut.textContent = `At c = ${p.c.toPrecision(3)}: predictions differ from c = 1 by ${p.prob_diff.toExponential(1)}; ‖∇L‖ = ${p.grad_norm.toPrecision(6)}, ‖∇L‖·‖c·w‖ = ${p.grad_times_weight.toPrecision(12)}.`;
    }
  }

  finish(numbers) {
    const s = this.scene;
    this.result = s.claim(numbers);
    this.setPhase('done');
    this.root.dataset.claim = this.result.ok ? 'ok' : 'failed';
    const said = this.guess === null ? '' : this.guess === s.question.answer ? 'Right. ' : `Not quite: the answer is “${s.question.choices[s.question.answer]}”. `;
    this.answer.textContent = `${said}${this.result.text}`;
    if (s.probe) this.tryProbe();
    if (s.rescale && !this.figure.querySelector('.tour-try')) this.tryRescale();
  }

  /** Scene 2's "now you try": rescale B by any c, then 100 more steps, and the claim again. */
  tryRescale() {
    const input = el('input', { type: 'range', min: '-1', max: '1', step: '0.05', value: '0.5', id: 'tour-c' });
    const shown = el('output', { textContent: '×3.16' });
    input.oninput = () => (shown.textContent = `×${(10 ** Number(input.value)).toPrecision(3)}`);
    const go = el('button', { type: 'button', className: 'small-button', textContent: 'Rescale B, train 100 more steps' });
    go.onclick = () => {
      if (this.phase !== 'done') return;
      this.setPhase('running', this.store().lastStep.step + 100);
      this.rescale(10 ** Number(input.value));
      this.session.step(100);
    };
    this.figure.append(el('label', { className: 'tour-try' }, 'Now you try: c ', input, shown), go);
  }

  /** Scene 1's figure: ‖∇L‖ and ‖∇L‖·‖w‖ against c, log-log, with the values printed. */
  drawProbe(points) {
    const W = 360;
    const H = 150;
    const canvas = el('canvas', { width: W, height: H, className: 'tour-probe', role: 'img' });
    canvas.setAttribute('aria-label', points.map((p) => `c = ${p.c}: ‖∇L‖ = ${p.grad_norm.toPrecision(4)}, ‖∇L‖·‖w‖ = ${p.grad_times_weight.toPrecision(6)}`).join('; '));
    const g = canvas.getContext('2d');
    const xs = points.map((p) => Math.log10(p.c));
    const ys = points.flatMap((p) => [Math.log10(p.grad_norm), Math.log10(p.grad_times_weight)]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys) - 0.2, Math.max(...ys) + 0.2];
    const X = (x) => 40 + ((x - x0) / (x1 - x0)) * (W - 60);
    const Y = (y) => H - 24 - ((y - y0) / (y1 - y0)) * (H - 40);
    g.font = '12px sans-serif';
    g.fillStyle = '#333';
    for (const p of points) g.fillText(`c=${p.c}`, X(Math.log10(p.c)) - 12, H - 8);
    const line = (get, colour, label) => {
      g.strokeStyle = colour;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach((p, i) => (i ? g.lineTo : g.moveTo).call(g, X(Math.log10(p.c)), Y(Math.log10(get(p)))));
      g.stroke();
      g.fillStyle = colour;
      const p = points.at(-1);
      g.fillText(label, X(Math.log10(p.c)) - 80, Y(Math.log10(get(p))) + (get(p) === p.grad_norm ? -10 : 14));
    };
    line((p) => p.grad_norm, '#d1451b', '‖∇L‖ ∝ 1/c');
    line((p) => p.grad_times_weight, '#1f5fbf', '‖∇L‖·‖w‖');
    const rows = points.map((p) => el('tr', {}, ...[p.c, p.prob_diff.toExponential(1), p.grad_norm.toPrecision(6), p.grad_times_weight.toPrecision(12), p.radial.toExponential(1)].map((v) => el('td', { textContent: String(v) }))));
    const head = el('tr', {}, ...['c', 'Δ predictions', '‖∇L‖', '‖∇L‖·‖c·w‖', 'radial part'].map((t) => el('th', { textContent: t })));
    this.figure.replaceChildren(canvas, el('table', { className: 'tour-table' }, el('thead', {}, head), el('tbody', {}, ...rows)));
  }

  /** Scene 1's "now you try": any c, evaluated on the engine as the slider moves. */
  tryProbe() {
    const input = el('input', { type: 'range', min: '-2', max: '2', step: '0.05', value: '0', id: 'tour-c' });
    this.tryOut = el('span', { className: 'tour-try-out', ariaLive: 'polite' });
    input.oninput = () => this.session.probe(0, [Number((10 ** Number(input.value)).toPrecision(3))]);
    this.figure.append(el('label', { className: 'tour-try' }, 'Now you try: c ', input), this.tryOut);
  }
}
