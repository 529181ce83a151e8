// Hooks for tests and the benchmark (window.__explr): the metric history, the current state,
// what the charts draw, frame counters, the worker's WebGPU counters, and a way to lose the
// GPU device on purpose. Read-only views of the page; nothing here changes a run.

/**
 * Installs window.__explr over `page` ({store, plots, sweepView}), the `session`, the frame
 * counters `frames`, the `tour`, `state()` (the current state) and `caption()` (the figure's
 * caption).
 */
export function installHooks({ page, session, frames, tour, state, caption }) {
  window.__explr = {
    /** The tour's scene, phase and the claim its figure made, with the engine's numbers. */
    get tour() {
      return { scene: tour.k, phase: tour.phase, result: tour.result, points: tour.points };
    },
    /** Every kept step as objects (materialized on demand: tests only). */
    get history() {
      return page.store ? page.store.toObjects() : [];
    },
    get last() {
      return page.store ? page.store.lastStep : null;
    },
    get kept() {
      const s = page.store;
      return s ? { rows: s.length, stride: s.stride, bytes: s.bytes } : null;
    },
    get state() {
      return state();
    },
    get engine() {
      return { ...session.engine, measured: { ...session.measured }, warmup: session.warmup };
    },
    get phase() {
      return session.phase;
    },
    get frames() {
      return { ...frames };
    },
    get perf() {
      return { ...session.perf };
    },
    /** How the page shows each run (the engine's run views, with their labels). */
    get runs() {
      return page.runs || [];
    },
    /** The figure's caption: the settings in words. */
    caption() {
      return caption();
    },
    /** The PNG figure the export button downloads, as a Blob. */
    figure() {
      return page.plots.figure(caption());
    },
    /** Where that figure puts its panels (CSS px; the PNG is 2× this). */
    figureLayout() {
      return page.plots.layout(caption());
    },
    /** How long the sweep view's last redraw took (ms), or null. */
    get sweepDrawMs() {
      return page.sweepView ? page.sweepView.drawMs : null;
    },
    /** The sweep view's points (η, λ, λη, predicted and settled Δ, accuracy), drawn now. */
    sweep() {
      if (!page.sweepView) return null;
      page.sweepView.draw(page.store);
      return page.sweepView.summary();
    },
    /** What each chart draws now: key, last step, each run's last value. */
    charts() {
      return page.plots ? page.plots.drawn() : [];
    },
    /** WebGPU work so far ({totals, kernels}); with `shaders`, also each pipeline's WGSL. */
    gpuProfile(shaders = false) {
      return session.gpuProfile(shaders);
    },
    loseDevice() {
      session.loseDevice();
    },
  };
}
