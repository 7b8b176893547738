// The recurrent cells RNNCell, GRUCell and LSTMCell (one time step, PyTorch's parameter names and gate
// order) and the step functions that the sequence modules in recurrent.ts unroll. Compositions of core
// ops only: backprop through time is autodiff through the unrolled loop.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { zeros } from "../tensor/create.js";
import { add, chunk, mul, relu, sigmoid, squeeze, sub, tanh, unsqueeze } from "../ops/index.js";
import { check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";
import { linear } from "./functional/index.js";
import { uniform_ } from "./init.js";
import { Module, Parameter } from "./module.js";

/** The recurrence a cell computes: Elman RNN with tanh or ReLU, GRU, or LSTM. */
export type CellMode = "rnnTanh" | "rnnRelu" | "gru" | "lstm";

/** Stacked gate blocks in weight_ih / weight_hh: 1 for RNN, 3 for GRU (r, z, n), 4 for LSTM (i, f, g, o). */
export const gateCount = (mode: CellMode): number => ({ rnnTanh: 1, rnnRelu: 1, gru: 3, lstm: 4 })[mode];

/** A hidden state: h, plus the cell state c for LSTM (null otherwise). */
export interface CellState {
  h: Tensor;
  c: Tensor | null;
}

/**
 * One time step from the input projection `gi = x·W_ihᵀ + b_ih` ([N, gates·H]) and the previous state:
 * - rnn:  h' = act(gi + h·W_hhᵀ + b_hh)
 * - gru:  r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h' = (1 - z)·n + z·h
 * - lstm: i, f, o = σ(·), g = tanh(·) of gi + gh, c' = f·c + i·g, h' = o·tanh(c')
 * where gh = h·W_hhᵀ + b_hh. Projecting the whole sequence's inputs at once (as PyTorch does) leaves one
 * matmul per step.
 */
export function cellStep(
  mode: CellMode,
  gi: Tensor,
  state: CellState,
  wHh: Tensor,
  bHh: Tensor | null,
): CellState {
  const gh = linear(state.h, wHh, bHh);
  switch (mode) {
    case "rnnTanh":
      return { h: tanh(add(gi, gh)), c: null };
    case "rnnRelu":
      return { h: relu(add(gi, gh)), c: null };
    case "gru": {
      const [ir, iz, inn] = chunk(gi, 3, -1);
      const [hr, hz, hn] = chunk(gh, 3, -1);
      const r = sigmoid(add(ir, hr));
      const z = sigmoid(add(iz, hz));
      const n = tanh(add(inn, mul(r, hn)));
      // (1 - z)·n + z·h, written with one product fewer
      return { h: add(n, mul(z, sub(state.h, n))), c: null };
    }
    case "lstm": {
      const [i, f, g, o] = chunk(add(gi, gh), 4, -1);
      const c = add(mul(sigmoid(f), state.c!), mul(sigmoid(i), tanh(g)));
      return { h: mul(sigmoid(o), tanh(c)), c };
    }
    default:
      return mode satisfies never;
  }
}

/** Options shared by the cells. */
export interface CellOptions {
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * What the cells share: the parameters `weight_ih [gates·H, inputSize]`, `weight_hh [gates·H, H]`,
 * `bias_ih`, `bias_hh [gates·H]` under PyTorch's names (so PyTorch state dicts load as they are; the
 * camelCase getters weightIh… alias them), input and state checks, and the initialization
 * U(-1/√H, 1/√H) of every parameter.
 */
export abstract class RNNCellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly mode: CellMode,
    opts: CellOptions = {},
  ) {
    super();
    for (const [name, n] of [
      ["inputSize", inputSize],
      ["hiddenSize", hiddenSize],
    ] as const)
      check(
        Number.isInteger(n) && n > 0,
        this.constructor.name,
        () => `${name} must be a positive integer, got ${n}`,
      );
    const dtype = opts.dtype ?? "float32";
    const rows = gateCount(mode) * hiddenSize;
    this.weight_ih = new Parameter(zeros([rows, inputSize], { dtype }));
    this.weight_hh = new Parameter(zeros([rows, hiddenSize], { dtype }));
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? new Parameter(zeros([rows], { dtype })) : null;
    this.bias_hh = bias ? new Parameter(zeros([rows], { dtype })) : null;
    this.resetParameters();
  }

  get weightIh(): Parameter {
    return this.weight_ih;
  }
  get weightHh(): Parameter {
    return this.weight_hh;
  }
  get biasIh(): Parameter | null {
    return this.bias_ih;
  }
  get biasHh(): Parameter | null {
    return this.bias_hh;
  }

  /** Draws every parameter from U(-1/√H, 1/√H), PyTorch's default. */
  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, { a: -k, b: k });
  }

  /**
   * One step on `x` [N, inputSize] or unbatched [inputSize] from `state` (zeros where missing);
   * the result keeps the input's batching.
   */
  protected run(x: Tensor, h: Tensor | undefined, c: Tensor | undefined): CellState {
    const op = this.constructor.name;
    check(
      (x.ndim === 1 || x.ndim === 2) && x.shape[x.ndim - 1] === this.inputSize,
      op,
      () =>
        `expected input of shape [N, ${this.inputSize}] or [${this.inputSize}] (inputSize=${this.inputSize}), ` +
        `got ${fmtShape(x.shape)}`,
    );
    check(
      x.dtype === this.weight_ih.dtype,
      op,
      () =>
        `input dtype ${x.dtype} does not match the parameters' ${this.weight_ih.dtype}; convert one of them`,
    );
    const batched = x.ndim === 2;
    const want = batched ? [x.shape[0], this.hiddenSize] : [this.hiddenSize];
    const prep = (s: Tensor | undefined, name: string): Tensor => {
      if (s === undefined) return zeros([batched ? x.shape[0] : 1, this.hiddenSize], { dtype: x.dtype });
      check(
        sameShape(s.shape, want),
        op,
        () =>
          `expected ${name} of shape ${fmtShape(want)} for input ${fmtShape(x.shape)}, got ${fmtShape(s.shape)}`,
      );
      return batched ? s : unsqueeze(s, 0);
    };
    const xb = batched ? x : unsqueeze(x, 0);
    const state = { h: prep(h, "hx"), c: this.mode === "lstm" ? prep(c, "cx") : null };
    const next = cellStep(
      this.mode,
      linear(xb, this.weight_ih, this.bias_ih),
      state,
      this.weight_hh,
      this.bias_hh,
    );
    if (batched) return next;
    return { h: squeeze(next.h, 0), c: next.c && squeeze(next.c, 0) };
  }

  override extraRepr(): string {
    const bias = this.bias_ih === null ? ", bias=false" : "";
    const act = this.mode === "rnnRelu" ? ", nonlinearity='relu'" : "";
    return `${this.inputSize}, ${this.hiddenSize}${bias}${act}`;
  }
}

/**
 * Elman RNN cell: `h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)` (or ReLU with `nonlinearity: 'relu'`).
 *
 * @param inputSize features of x
 * @param hiddenSize features of h
 * @param opts.bias learn b_ih and b_hh (default true)
 * @param opts.nonlinearity 'tanh' (default) or 'relu'
 *
 * Shape: `forward(x, hx?)` with x `[N, inputSize]` or `[inputSize]`, hx `[N, H]` or `[H]` (zeros when
 * omitted) → h' of hx's shape.
 *
 * Parameters (PyTorch's names, so PyTorch state dicts load): `weight_ih [H, inputSize]`,
 * `weight_hh [H, H]`, `bias_ih [H]`, `bias_hh [H]`, all initialized U(-1/√H, 1/√H).
 *
 * @example
 * const cell = new nn.RNNCell(10, 20);
 * let h = cell.forward(cr.randn([3, 10])); // [3, 20]
 * h = cell.forward(cr.randn([3, 10]), h);
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";
  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: CellOptions & { nonlinearity?: "tanh" | "relu" } = {},
  ) {
    const nonlinearity = opts.nonlinearity ?? "tanh";
    check(
      nonlinearity === "tanh" || nonlinearity === "relu",
      "RNNCell",
      () => `nonlinearity must be 'tanh' or 'relu', got '${nonlinearity}'`,
    );
    super(inputSize, hiddenSize, nonlinearity === "tanh" ? "rnnTanh" : "rnnRelu", opts);
    this.nonlinearity = nonlinearity;
  }
  forward(x: Tensor, hx?: Tensor): Tensor {
    return this.run(x, hx, undefined).h;
  }
}

/**
 * Gated recurrent unit cell (gates r, z, n stacked in that order, as in PyTorch):
 * `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
 * `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`, `h' = (1 - z) ⊙ n + z ⊙ h`.
 *
 * Shape: `forward(x, hx?)` with x `[N, inputSize]` or `[inputSize]`, hx `[N, H]` or `[H]` (zeros when
 * omitted) → h' of hx's shape.
 *
 * Parameters: `weight_ih [3H, inputSize]`, `weight_hh [3H, H]`, `bias_ih [3H]`, `bias_hh [3H]`, all
 * initialized U(-1/√H, 1/√H).
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super(inputSize, hiddenSize, "gru", opts);
  }
  forward(x: Tensor, hx?: Tensor): Tensor {
    return this.run(x, hx, undefined).h;
  }
}

/**
 * Long short-term memory cell (gates i, f, g, o stacked in that order, as in PyTorch):
 * `i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·)`, `g = tanh(W_ig x + b_ig + W_hg h + b_hg)`,
 * `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`.
 *
 * Since a Module's forward returns one tensor, the state is split: `forward(x, h?, c?)` returns h' only,
 * and `step(x, h?, c?)` returns both `{h, c}` (PyTorch's `(h', c')` tuple) for carrying the state on.
 *
 * Shape: x `[N, inputSize]` or `[inputSize]`; h, c `[N, H]` or `[H]` (zeros when omitted); h', c' alike.
 *
 * Parameters: `weight_ih [4H, inputSize]`, `weight_hh [4H, H]`, `bias_ih [4H]`, `bias_hh [4H]`, all
 * initialized U(-1/√H, 1/√H).
 *
 * @example
 * const cell = new nn.LSTMCell(10, 20);
 * let s = cell.step(cr.randn([3, 10]));
 * s = cell.step(cr.randn([3, 10]), s.h, s.c);
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super(inputSize, hiddenSize, "lstm", opts);
  }
  /** The next hidden state h' (see `step` for h' and c'). */
  forward(x: Tensor, h?: Tensor, c?: Tensor): Tensor {
    return this.run(x, h, c).h;
  }
  /** The next hidden and cell states. */
  step(x: Tensor, h?: Tensor, c?: Tensor): { h: Tensor; c: Tensor } {
    const next = this.run(x, h, c);
    return { h: next.h, c: next.c! };
  }
}
