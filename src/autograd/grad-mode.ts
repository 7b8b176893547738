// Whether ops record graph nodes: noGrad(fn) turns recording off for its body, enableGrad(fn) back on.

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` without recording gradients (inference, optimizer updates). */
export const noGrad = <T>(fn: () => T): T => withMode(false, fn);
/** Runs `fn` with gradient recording on, even inside noGrad. */
export const enableGrad = <T>(fn: () => T): T => withMode(true, fn);
/** Sets gradient recording globally (prefer noGrad/enableGrad). */
export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}
