// When the page draws: at most once per animation frame, and never later than a timer allows.

/** How long a frame the browser holds back may wait before a timer draws it instead (ms). */
export const FRAME_FALLBACK_MS = 100;

/**
 * A request function that runs `draw` on the next animation frame (at most one outstanding).
 * A frame the browser holds back longer than FRAME_FALLBACK_MS is drawn from a timer, so
 * whatever waits on drawing (the worker's acknowledgements) is never held up by frames that do
 * not come: Firefox gives none while it compiles WebGPU shaders, for up to ≈ 18 s.
 */
export function frameScheduler(draw) {
  let pending = false;
  let id = 0;
  const run = () => {
    pending = false;
    draw();
  };
  return function request() {
    if (pending) return;
    pending = true;
    const mine = (id = requestAnimationFrame(run));
    setTimeout(() => {
      if (!pending || id !== mine) return;
      cancelAnimationFrame(mine);
      run();
    }, FRAME_FALLBACK_MS);
  };
}
