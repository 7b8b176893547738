// The recorded graph: one Node per differentiable op call, holding its inputs, the tensors its backward
// rule reads (with their versions, to catch in-place changes) and the rule itself.
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError } from "../util/errors.js";
import { creationSite, isAnomalyEnabled } from "./anomaly.js";
import { isGradEnabled } from "./grad-mode.js";

/** A vector-Jacobian product: the gradient w.r.t. the output → the gradient w.r.t. each input. */
export type BackwardRule = (grad: Tensor) => (Tensor | null)[];

const NONE: readonly Tensor[] = [];

export class Node {
  site: string | null = null;
  /** The output tensor, when it asked to keep its gradient (retainGrad). */
  retained: Tensor | null = null;
  /** The gradient of the output gathered so far by a running backward sweep (backward.ts's scratch). */
  pending: Tensor | null = null;
  /** The stamp of the last backward sweep that visited this node (backward.ts's scratch). */
  mark = 0;
  private savedVersions: number[];

  constructor(
    readonly op: string,
    readonly inputs: readonly Tensor[],
    public rule: BackwardRule | null,
    private saved: readonly Tensor[],
  ) {
    this.savedVersions = new Array<number>(saved.length);
    for (let i = 0; i < saved.length; i++) this.savedVersions[i] = saved[i].storage.version;
  }

  /** Runs the rule after checking that no saved tensor was modified in place since the forward pass. */
  apply(grad: Tensor): (Tensor | null)[] {
    if (this.rule === null)
      throw new ChainruleError(
        "backward",
        `trying to backward through the graph a second time (at '${this.op}'); its saved tensors were freed. ` +
          "Pass { retainGraph: true } to the first backward() if you need to.",
      );
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i];
      if (t.storage.version !== this.savedVersions[i])
        throw new ChainruleError(
          "backward",
          `a tensor of shape [${t.shape}] saved by '${this.op}' for its backward was modified by an in-place ` +
            `operation (version ${this.savedVersions[i]} at save, now ${t.storage.version}); ` +
            "clone() it before modifying, or modify it after backward()",
        );
    }
    return this.rule(grad);
  }

  release(): void {
    this.rule = null;
    this.saved = NONE;
  }
}

/** Whether an op on these inputs is recorded: grad mode is on and one of them requires grad. */
export function wantsGrad(a: Tensor, b?: Tensor): boolean {
  return isGradEnabled() && (a.requiresGrad || (b?.requiresGrad ?? false));
}

/**
 * Connects `out` to the graph when gradients are on and some input requires them. `saved` lists the
 * tensors the rule reads, so in-place changes to them are detected.
 */
export function record(
  op: string,
  out: Tensor,
  inputs: readonly Tensor[],
  rule: BackwardRule,
  saved: readonly Tensor[] = NONE,
): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  for (let i = 0; i < inputs.length && !any; i++) any = inputs[i].requiresGrad;
  if (!any) return out;
  const node = new Node(op, inputs, rule, saved);
  if (isAnomalyEnabled()) node.site = creationSite();
  out.requiresGrad = true;
  out.gradFn = node;
  return out;
}
