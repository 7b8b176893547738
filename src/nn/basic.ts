// Parameter-free structural modules: Identity, Flatten, and Lambda (any differentiable function as a module).
import type { Tensor } from "../tensor/tensor.js";
import { flatten } from "../ops/index.js";
import { check } from "../util/errors.js";
import { Module } from "./module.js";

/** Returns its input unchanged (a placeholder, e.g. for a removed layer). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * Flattens dims startDim..endDim into one (default: everything but the batch dim).
 * Shape: `[N, d1, …, dk]` → `[N, d1·…·dk]` with the defaults.
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * Any differentiable function of tensors as a parameter-free module: `new Lambda(cr.exp)` is the
 * module f = exp(x), `new Lambda((x) => x.relu().tanh())` is tanh(ReLU(x)). Gradients come from the
 * ops the function uses. `name` (default: the function's own name) is what printing shows.
 */
export class Lambda extends Module {
  readonly name: string;
  constructor(
    readonly fn: (...inputs: Tensor[]) => Tensor,
    name?: string,
  ) {
    super();
    check(typeof fn === "function", "Lambda", () => `expected a function, got ${typeof fn}`);
    this.name = name ?? (fn.name || "lambda");
  }
  forward(...inputs: Tensor[]): Tensor {
    return this.fn(...inputs);
  }
  override extraRepr(): string {
    return this.name;
  }
}
