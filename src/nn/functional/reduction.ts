// The `reduction` option every loss takes: validation and the reduction itself.
import type { Tensor } from "../../tensor/tensor.js";
import { check } from "../../util/errors.js";
import { mean, sum } from "../../ops/index.js";

/** How a loss reduces its per-element values: average, total, or none (same shape as the losses). */
export type Reduction = "mean" | "sum" | "none";

const REDUCTIONS: readonly string[] = ["mean", "sum", "none"];

/** The reduction, defaulting to 'mean'; anything but the known names is an error naming `op`. */
export function checkReduction(op: string, reduction: string | undefined): Reduction;
export function checkReduction(
  op: string,
  reduction: string | undefined,
  batchmean: true,
): Reduction | "batchmean";
export function checkReduction(op: string, reduction: string | undefined, batchmean = false): string {
  const r = reduction ?? "mean";
  const allowed = batchmean ? [...REDUCTIONS, "batchmean"] : REDUCTIONS;
  check(
    allowed.includes(r),
    op,
    () => `reduction must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got '${String(reduction)}'`,
  );
  return r;
}

/** Applies a validated reduction to per-element losses. */
export function reduce(l: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case "none":
      return l;
    case "sum":
      return sum(l);
    case "mean":
      return mean(l);
    default:
      return reduction satisfies never;
  }
}
