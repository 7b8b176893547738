// The sequence modules RNN, GRU and LSTM: stacked (optionally bidirectional) layers of the cells in
// recurrent-cell.ts unrolled over time, with PyTorch's parameter names (weight_ih_l0, …_reverse) and
// shapes. Backprop through time is autodiff through the unrolled loop; there is no fused kernel.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { zeros } from "../tensor/create.js";
import { cat, select, stack, transpose, unsqueeze, squeeze } from "../ops/index.js";
import { check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";
import { dropout, linear } from "./functional/index.js";
import { uniform_ } from "./init.js";
import { Module, Parameter } from "./module.js";
import { cellStep, gateCount, type CellMode, type CellState } from "./recurrent-cell.js";

export {
  RNNCellBase,
  RNNCell,
  GRUCell,
  LSTMCell,
  type CellMode,
  type CellOptions,
} from "./recurrent-cell.js";

/** Options shared by RNN, GRU and LSTM (PyTorch's keyword arguments in camelCase). */
export interface RecurrentOptions {
  /** Stacked layers; layer k > 0 reads layer k-1's output sequence (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are `[N, L, *]` instead of `[L, N, *]` (the states keep `[layers·dirs, N, H]`). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last's, in training mode (default 0). */
  dropout?: number;
  /** Run a second layer stack from the end of the sequence and concatenate both outputs (default false). */
  bidirectional?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/** The four parameters of one layer and direction (the biases null with `bias: false`). */
export interface LayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** A sequence module's output with its final states (c only for LSTM). */
export interface RecurrentResult {
  /** `[L, N, dirs·H]` (`[N, L, dirs·H]` with batchFirst, `[L, dirs·H]` unbatched): the last layer's h at each step. */
  output: Tensor;
  /** `[numLayers·dirs, N, H]` (`[numLayers·dirs, H]` unbatched): each layer's and direction's final h. */
  h: Tensor;
  c: Tensor | null;
}

/**
 * What RNN, GRU and LSTM share: parameters registered per layer and direction under PyTorch's names
 * (`weight_ih_l{k}[_reverse]`: `[gates·H, inputSize]` for k = 0, `[gates·H, dirs·H]` after;
 * `weight_hh_l{k}[_reverse]: [gates·H, H]`; `bias_ih_l{k}…`, `bias_hh_l{k}… [gates·H]`), initialized
 * U(-1/√H, 1/√H); input and state checks; the unrolled loop.
 */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly mode: CellMode,
    opts: RecurrentOptions = {},
  ) {
    super();
    const op = new.target.name;
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    for (const [name, n] of [
      ["inputSize", inputSize],
      ["hiddenSize", hiddenSize],
      ["numLayers", this.numLayers],
    ] as const)
      check(Number.isInteger(n) && n > 0, op, () => `${name} must be a positive integer, got ${n}`);
    check(
      this.dropout >= 0 && this.dropout <= 1,
      op,
      () => `dropout must lie in [0, 1], got ${this.dropout}`,
    );
    this.#createParameters(opts.dtype ?? "float32");
    this.resetParameters();
  }

  #createParameters(dtype: DType): void {
    const rows = gateCount(this.mode) * this.hiddenSize;
    for (let layer = 0; layer < this.numLayers; layer++)
      for (let dir = 0; dir < this.numDirections; dir++) {
        const cols = layer === 0 ? this.inputSize : this.hiddenSize * this.numDirections;
        const sfx = this.#suffix(layer, dir);
        this.registerParameter(`weight_ih${sfx}`, new Parameter(zeros([rows, cols], { dtype })));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(zeros([rows, this.hiddenSize], { dtype })));
        if (!this.bias) continue;
        this.registerParameter(`bias_ih${sfx}`, new Parameter(zeros([rows], { dtype })));
        this.registerParameter(`bias_hh${sfx}`, new Parameter(zeros([rows], { dtype })));
      }
  }

  #suffix(layer: number, dir: number): string {
    return `_l${layer}${dir === 1 ? "_reverse" : ""}`;
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Draws every parameter from U(-1/√H, 1/√H), PyTorch's default. */
  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, { a: -k, b: k });
  }

  /** The parameters of one layer (0-based) in one direction (`reverse` for the backward stack). */
  layerWeights(layer: number, opts: { reverse?: boolean } = {}): LayerWeights {
    check(
      Number.isInteger(layer) && layer >= 0 && layer < this.numLayers,
      this.constructor.name,
      () => `layer must be an integer in [0, ${this.numLayers}), got ${layer}`,
    );
    check(
      !opts.reverse || this.bidirectional,
      this.constructor.name,
      () => "only a bidirectional module has reverse weights",
    );
    const sfx = this.#suffix(layer, opts.reverse ? 1 : 0);
    // read by name on every call: to() replaces the Parameter objects themselves
    const props = this as unknown as Record<string, Tensor | null | undefined>;
    return {
      weightIh: props[`weight_ih${sfx}`]!,
      weightHh: props[`weight_hh${sfx}`]!,
      biasIh: props[`bias_ih${sfx}`] ?? null,
      biasHh: props[`bias_hh${sfx}`] ?? null,
    };
  }

  /**
   * Runs every layer over the sequence. `h0`, `c0` default to zeros; `c0` is used only by LSTM.
   * Returns PyTorch's `(output, h_n[, c_n])`.
   */
  protected run(input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined): RecurrentResult {
    const batched = this.#checkInput(input);
    // the loop works on [L, N, features]
    let x = !batched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input;
    const n = x.shape[1];
    const h = this.#initialState(input, batched, n, h0, "h0");
    const c = this.mode === "lstm" ? this.#initialState(input, batched, n, c0, "c0") : null;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < this.numDirections; dir++) {
        const k = layer * this.numDirections + dir;
        const start = { h: select(h, 0, k), c: c && select(c, 0, k) };
        const res = this.#runDirection(x, this.layerWeights(layer, { reverse: dir === 1 }), start, dir === 1);
        outs.push(res.output);
        hs.push(res.last.h);
        if (res.last.c) cs.push(res.last.c);
      }
      x = outs.length === 1 ? outs[0] : cat(outs, 2);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1)
        x = dropout(x, { p: this.dropout, training: true });
    }
    const output = !batched ? squeeze(x, 1) : this.batchFirst ? transpose(x, 0, 1) : x;
    const unbatch = (s: Tensor) => (batched ? s : squeeze(s, 1));
    return { output, h: unbatch(stack(hs, 0)), c: cs.length > 0 ? unbatch(stack(cs, 0)) : null };
  }

  /** One layer in one direction over x [L, N, in]: the outputs [L, N, H] in time order and the last state. */
  #runDirection(
    x: Tensor,
    w: LayerWeights,
    start: CellState,
    reverse: boolean,
  ): { output: Tensor; last: CellState } {
    const len = x.shape[0];
    const gi = linear(x, w.weightIh, w.biasIh); // every step's input projection in one matmul
    const outs: Tensor[] = new Array<Tensor>(len);
    let state = start;
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      state = cellStep(this.mode, select(gi, 0, t), state, w.weightHh, w.biasHh);
      outs[t] = state.h;
    }
    return { output: stack(outs, 0), last: state };
  }

  /** Checks the input's rank, size and dtype; returns whether it is batched (3-D). */
  #checkInput(input: Tensor): boolean {
    const op = this.constructor.name;
    const want = this.batchFirst ? `[N, L, ${this.inputSize}]` : `[L, N, ${this.inputSize}]`;
    check(
      (input.ndim === 2 || input.ndim === 3) && input.shape[input.ndim - 1] === this.inputSize,
      op,
      () =>
        `expected input of shape ${want} or unbatched [L, ${this.inputSize}] (inputSize=${this.inputSize}), ` +
        `got ${fmtShape(input.shape)}`,
    );
    const batched = input.ndim === 3;
    const len = input.shape[batched && this.batchFirst ? 1 : 0];
    check(len > 0, op, () => `expected a sequence of length ≥ 1, got input ${fmtShape(input.shape)}`);
    const dtype = this.layerWeights(0).weightIh.dtype;
    check(
      input.dtype === dtype,
      op,
      () => `input dtype ${input.dtype} does not match the parameters' ${dtype}; convert one of them`,
    );
    return batched;
  }

  /** The given initial state, checked, as [layers·dirs, N, H]; zeros when omitted. */
  #initialState(input: Tensor, batched: boolean, n: number, s: Tensor | undefined, name: string): Tensor {
    const layers = this.numLayers * this.numDirections;
    if (s === undefined) return zeros([layers, n, this.hiddenSize], { dtype: input.dtype });
    const want = batched ? [layers, n, this.hiddenSize] : [layers, this.hiddenSize];
    check(
      sameShape(s.shape, want),
      this.constructor.name,
      () =>
        `expected ${name} of shape ${fmtShape(want)} (numLayers·numDirections, ${batched ? "N, " : ""}hiddenSize) ` +
        `for input ${fmtShape(input.shape)}, got ${fmtShape(s.shape)}`,
    );
    return batched ? s : unsqueeze(s, 1);
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (this.mode === "rnnRelu") parts.push("nonlinearity='relu'");
    if (!this.bias) parts.push("bias=false");
    if (this.batchFirst) parts.push("batchFirst=true");
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push("bidirectional=true");
    return parts.join(", ");
  }
}

/**
 * Multi-layer Elman RNN: for each layer and step, `h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh)`
 * (ReLU with `nonlinearity: 'relu'`), where x_t is the input for layer 0 and the previous layer's h_t
 * (after dropout in training) above it.
 *
 * @param inputSize features of x_t
 * @param hiddenSize features of h_t
 * @param opts see RecurrentOptions; `nonlinearity` 'tanh' (default) or 'relu'
 *
 * Shape: `forward(input, h0?)` with input `[L, N, inputSize]` (`[N, L, inputSize]` with batchFirst,
 * `[L, inputSize]` unbatched) and h0 `[numLayers·dirs, N, H]` (`[numLayers·dirs, H]` unbatched; zeros
 * when omitted) → output `[L, N, dirs·H]`. `forwardWithState` also returns the final h (h0's shape).
 *
 * Parameters: `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (and `…_reverse`), as
 * in PyTorch, initialized U(-1/√H, 1/√H).
 *
 * @example
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const { output, h } = rnn.forwardWithState(cr.randn([5, 3, 10])); // [5, 3, 20], [2, 3, 20]
 */
export class RNN extends RNNBase {
  readonly nonlinearity: "tanh" | "relu";
  constructor(
    inputSize: number,
    hiddenSize: number,
    opts: RecurrentOptions & { nonlinearity?: "tanh" | "relu" } = {},
  ) {
    const nonlinearity = opts.nonlinearity ?? "tanh";
    check(
      nonlinearity === "tanh" || nonlinearity === "relu",
      "RNN",
      () => `nonlinearity must be 'tanh' or 'relu', got '${nonlinearity}'`,
    );
    super(inputSize, hiddenSize, nonlinearity === "tanh" ? "rnnTanh" : "rnnRelu", opts);
    this.nonlinearity = nonlinearity;
  }
  /** The output sequence (see the class docs for shapes). */
  forward(input: Tensor, h0?: Tensor): Tensor {
    return this.run(input, h0, undefined).output;
  }
  /** The output sequence and the final hidden state of every layer and direction. */
  forwardWithState(input: Tensor, h0?: Tensor): { output: Tensor; h: Tensor } {
    const { output, h } = this.run(input, h0, undefined);
    return { output, h };
  }
}

/**
 * Multi-layer GRU: each layer runs GRUCell's recurrence (gates r, z, n;
 * `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`, `h' = (1 - z) ⊙ n + z ⊙ h`) over the sequence.
 *
 * Shape: as RNN: `forward(input, h0?)` → output `[L, N, dirs·H]`; `forwardWithState` adds the final h
 * `[numLayers·dirs, N, H]`.
 *
 * Parameters: `weight_ih_l{k}[_reverse] [3H, in]`, `weight_hh_l{k}… [3H, H]`, biases `[3H]` (r, z, n
 * stacked), initialized U(-1/√H, 1/√H).
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, "gru", opts);
  }
  forward(input: Tensor, h0?: Tensor): Tensor {
    return this.run(input, h0, undefined).output;
  }
  forwardWithState(input: Tensor, h0?: Tensor): { output: Tensor; h: Tensor } {
    const { output, h } = this.run(input, h0, undefined);
    return { output, h };
  }
}

/**
 * Multi-layer LSTM: each layer runs LSTMCell's recurrence (gates i, f, g, o; `c' = f ⊙ c + i ⊙ g`,
 * `h' = o ⊙ tanh(c')`) over the sequence. PyTorch's `proj_size` is not supported.
 *
 * Shape: `forward(input, h0?, c0?)` → output `[L, N, dirs·H]` (batchFirst / unbatched as RNN); h0 and
 * c0 `[numLayers·dirs, N, H]`, each zeros when omitted. `forwardWithState` adds the final h and c
 * (PyTorch's `(h_n, c_n)`).
 *
 * Parameters: `weight_ih_l{k}[_reverse] [4H, in]`, `weight_hh_l{k}… [4H, H]`, biases `[4H]` (i, f, g, o
 * stacked), initialized U(-1/√H, 1/√H).
 *
 * @example
 * const lstm = new nn.LSTM(8, 16, { batchFirst: true, bidirectional: true });
 * const { output, h, c } = lstm.forwardWithState(cr.randn([4, 12, 8])); // [4, 12, 32], [2, 4, 16] ×2
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, "lstm", opts);
  }
  forward(input: Tensor, h0?: Tensor, c0?: Tensor): Tensor {
    return this.run(input, h0, c0).output;
  }
  forwardWithState(input: Tensor, h0?: Tensor, c0?: Tensor): { output: Tensor; h: Tensor; c: Tensor } {
    const { output, h, c } = this.run(input, h0, c0);
    return { output, h, c: c! };
  }
}
