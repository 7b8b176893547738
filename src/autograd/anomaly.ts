// Anomaly mode: remembers where each graph node was created and checks every backward result for
// NaN/Inf, naming the forward op and its creation site when one appears.
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError } from "../util/errors.js";
import type { Node } from "./graph.js";

let anomaly = false;

export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/** With `fn`: anomaly mode only while it runs. Without: sets the mode globally to `enabled`. */
export function detectAnomaly<T>(fn: () => T): T;
export function detectAnomaly(enabled: boolean): void;
export function detectAnomaly<T>(arg: boolean | (() => T)): T | void {
  if (typeof arg === "boolean") {
    anomaly = arg;
    return;
  }
  const prev = anomaly;
  anomaly = true;
  try {
    return arg();
  } finally {
    anomaly = prev;
  }
}

/** The user-code frames of the current stack (chainrule's own frames removed). */
export function creationSite(): string {
  const lines = (new Error().stack ?? "").split("\n").slice(1);
  const user = lines.filter((l) => !/[/\\]src[/\\](autograd|ops|tensor|backend|util)[/\\]/.test(l));
  return (user.length > 0 ? user : lines).slice(0, 6).join("\n");
}

export function checkGradients(node: Node, grads: readonly (Tensor | null)[]): void {
  grads.forEach((g, i) => {
    if (g === null) return;
    const d = g.toTypedArray();
    for (let k = 0; k < d.length; k++) {
      if (!Number.isFinite(d[k])) {
        throw new ChainruleError(
          "detectAnomaly",
          `the backward of '${node.op}' returned ${d[k]} in the gradient of its input ${i} (shape [${g.shape}]).\n` +
            `The forward '${node.op}' was created at:\n${node.site ?? "(unknown: enable detectAnomaly before the forward pass)"}`,
        );
      }
    }
  });
}
