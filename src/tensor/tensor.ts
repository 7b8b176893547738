// Tensor: a view (shape, strides, offset) over shared storage, plus gradient bookkeeping. Every method
// is one line of sugar over a function in ops/; the logic lives there.
import { backend, type TypedArray, type View } from "../backend/backend.js";
import type { Node } from "../autograd/graph.js";
import { backward as runBackward } from "../autograd/backward.js";
import * as ops from "../ops/index.js";
import { contiguousStrides, numel } from "../util/shape.js";
import { ChainruleError } from "../util/errors.js";
import { allocate, isFloat, type DType } from "./dtype.js";
import { Storage } from "./storage.js";
import { formatTensor, toNested, type Nested } from "./format.js";

type Arg = Tensor | number;
type Dims = number | readonly number[] | null;
interface KeepDim {
  keepdim?: boolean;
}

export class Tensor implements View {
  /** Whether gradients flow to this tensor; set on leaves with requiresGrad_(). */
  requiresGrad = false;
  /** The accumulated gradient of a leaf after backward(). */
  grad: Tensor | null = null;
  /** The graph node that produced this tensor (null for leaves). */
  gradFn: Node | null = null;

  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
    readonly dtype: DType,
  ) {}

  /** A fresh contiguous tensor over `data` (no copy; the caller may keep writing into it). */
  static fromData(data: TypedArray, shape: readonly number[], dtype: DType, shared = true): Tensor {
    return new Tensor(new Storage(data, shared), shape, contiguousStrides(shape), 0, dtype);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return numel(this.shape);
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /**
   * The storage array itself (shared with every view of it; writes show in all of them). Handing it out
   * marks the storage as shared: the library then keeps no packed copy of it (see Storage.shared).
   */
  get data(): TypedArray {
    return this.storage.data;
  }
  size(dim?: number): number | readonly number[] {
    return dim === undefined ? this.shape : this.shape[ops.dimArg("size", dim, this.ndim)];
  }
  isContiguous(): boolean {
    for (let i = this.shape.length - 1, s = 1; i >= 0; s *= this.shape[i--])
      if (this.shape[i] !== 1 && this.strides[i] !== s) return false;
    return true;
  }

  // ---- read-out ----
  /** The elements as a fresh contiguous typed array. */
  toTypedArray(): TypedArray {
    const out = allocate(this.dtype, this.numel);
    backend().copy(this.storage.array, this, out);
    return out;
  }
  /** Nested JS arrays (numbers, or booleans for bool tensors). */
  toArray(): Nested {
    return toNested(this.toTypedArray(), this.shape, this.dtype);
  }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1)
      throw new ChainruleError(
        "item",
        `only one-element tensors can be converted to a number, got shape [${this.shape}]`,
      );
    return this.storage.array[this.offset];
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- autograd ----
  backward(gradOutput?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    runBackward(this, gradOutput, opts);
  }
  requiresGrad_(flag = true): this {
    if (!this.isLeaf)
      throw new ChainruleError(
        "requiresGrad_",
        "can only change requiresGrad of a leaf tensor; use detach() first",
      );
    if (flag && !isFloat(this.dtype))
      throw new ChainruleError(
        "requiresGrad_",
        `only floating-point tensors can require gradients, got ${this.dtype}`,
      );
    this.requiresGrad = flag;
    return this;
  }
  retainGrad(): this {
    if (this.gradFn) this.gradFn.retained = this;
    return this;
  }
  /** The same data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.dtype);
  }
  clone(): Tensor { return ops.contiguous(this, true); } // prettier-ignore
  contiguous(): Tensor { return ops.contiguous(this); } // prettier-ignore
  to(dtype: DType): Tensor { return ops.cast(this, dtype); } // prettier-ignore
  float(): Tensor { return ops.cast(this, "float32"); } // prettier-ignore
  double(): Tensor { return ops.cast(this, "float64"); } // prettier-ignore
  int(): Tensor { return ops.cast(this, "int32"); } // prettier-ignore
  bool(): Tensor { return ops.cast(this, "bool"); } // prettier-ignore

  // ---- in-place (never recorded; refused where autograd would be corrupted) ----
  copy_(src: Arg): this { return ops.assign_(this, src); } // prettier-ignore
  fill_(value: number): this { return ops.assign_(this, value); } // prettier-ignore
  zero_(): this { return ops.assign_(this, 0); } // prettier-ignore
  add_(o: Arg, alpha = 1): this { return ops.assign_(this, ops.add(this, alpha === 1 ? o : ops.mul(o, alpha))); } // prettier-ignore
  sub_(o: Arg, alpha = 1): this { return ops.assign_(this, ops.sub(this, alpha === 1 ? o : ops.mul(o, alpha))); } // prettier-ignore
  mul_(o: Arg): this { return ops.assign_(this, ops.mul(this, o)); } // prettier-ignore
  div_(o: Arg): this { return ops.assign_(this, ops.div(this, o)); } // prettier-ignore
  clamp_(min: number | null, max: number | null = null): this { return ops.assign_(this, ops.clamp(this, min, max)); } // prettier-ignore

  // ---- elementwise ----
  add(o: Arg): Tensor { return ops.add(this, o); } // prettier-ignore
  sub(o: Arg): Tensor { return ops.sub(this, o); } // prettier-ignore
  mul(o: Arg): Tensor { return ops.mul(this, o); } // prettier-ignore
  div(o: Arg): Tensor { return ops.div(this, o); } // prettier-ignore
  pow(o: Arg): Tensor { return ops.pow(this, o); } // prettier-ignore
  maximum(o: Arg): Tensor { return ops.maximum(this, o); } // prettier-ignore
  minimum(o: Arg): Tensor { return ops.minimum(this, o); } // prettier-ignore
  neg(): Tensor { return ops.neg(this); } // prettier-ignore
  exp(): Tensor { return ops.exp(this); } // prettier-ignore
  log(): Tensor { return ops.log(this); } // prettier-ignore
  log1p(): Tensor { return ops.log1p(this); } // prettier-ignore
  expm1(): Tensor { return ops.expm1(this); } // prettier-ignore
  sqrt(): Tensor { return ops.sqrt(this); } // prettier-ignore
  rsqrt(): Tensor { return ops.rsqrt(this); } // prettier-ignore
  square(): Tensor { return ops.square(this); } // prettier-ignore
  reciprocal(): Tensor { return ops.reciprocal(this); } // prettier-ignore
  abs(): Tensor { return ops.abs(this); } // prettier-ignore
  sign(): Tensor { return ops.sign(this); } // prettier-ignore
  sin(): Tensor { return ops.sin(this); } // prettier-ignore
  cos(): Tensor { return ops.cos(this); } // prettier-ignore
  tanh(): Tensor { return ops.tanh(this); } // prettier-ignore
  sigmoid(): Tensor { return ops.sigmoid(this); } // prettier-ignore
  erf(): Tensor { return ops.erf(this); } // prettier-ignore
  relu(): Tensor { return ops.relu(this); } // prettier-ignore
  softplus(opts?: { beta?: number; threshold?: number }): Tensor { return ops.softplus(this, opts); } // prettier-ignore
  clamp(min: number | null, max: number | null = null): Tensor { return ops.clamp(this, min, max); } // prettier-ignore
  eq(o: Arg): Tensor { return ops.eq(this, o); } // prettier-ignore
  ne(o: Arg): Tensor { return ops.ne(this, o); } // prettier-ignore
  lt(o: Arg): Tensor { return ops.lt(this, o); } // prettier-ignore
  le(o: Arg): Tensor { return ops.le(this, o); } // prettier-ignore
  gt(o: Arg): Tensor { return ops.gt(this, o); } // prettier-ignore
  ge(o: Arg): Tensor { return ops.ge(this, o); } // prettier-ignore
  where(cond: Tensor, other: Arg): Tensor { return ops.where(cond, this, other); } // prettier-ignore
  maskedFill(mask: Tensor, value: number): Tensor { return ops.maskedFill(this, mask, value); } // prettier-ignore

  // ---- reductions ----
  sum(dim: Dims = null, opts?: KeepDim): Tensor { return ops.sum(this, dim, opts); } // prettier-ignore
  mean(dim: Dims = null, opts?: KeepDim): Tensor { return ops.mean(this, dim, opts); } // prettier-ignore
  amax(dim: Dims = null, opts?: KeepDim): Tensor { return ops.amax(this, dim, opts); } // prettier-ignore
  amin(dim: Dims = null, opts?: KeepDim): Tensor { return ops.amin(this, dim, opts); } // prettier-ignore
  max(): Tensor; // prettier-ignore
  max(dim: number, opts?: KeepDim): { values: Tensor; indices: Tensor }; // prettier-ignore
  max(dim?: number, opts?: KeepDim): Tensor | { values: Tensor; indices: Tensor } { return dim === undefined ? ops.max(this) : ops.max(this, dim, opts); } // prettier-ignore
  min(): Tensor; // prettier-ignore
  min(dim: number, opts?: KeepDim): { values: Tensor; indices: Tensor }; // prettier-ignore
  min(dim?: number, opts?: KeepDim): Tensor | { values: Tensor; indices: Tensor } { return dim === undefined ? ops.min(this) : ops.min(this, dim, opts); } // prettier-ignore
  argmax(dim: number | null = null, opts?: KeepDim): Tensor { return ops.argmax(this, dim, opts); } // prettier-ignore
  argmin(dim: number | null = null, opts?: KeepDim): Tensor { return ops.argmin(this, dim, opts); } // prettier-ignore
  var(dim: Dims = null, opts?: KeepDim & { unbiased?: boolean }): Tensor { return ops.variance(this, dim, opts); } // prettier-ignore
  std(dim: Dims = null, opts?: KeepDim & { unbiased?: boolean }): Tensor { return ops.std(this, dim, opts); } // prettier-ignore
  logsumexp(dim: Dims = null, opts?: KeepDim): Tensor { return ops.logsumexp(this, dim, opts); } // prettier-ignore
  softmax(dim: number): Tensor { return ops.softmax(this, dim); } // prettier-ignore
  logSoftmax(dim: number): Tensor { return ops.logSoftmax(this, dim); } // prettier-ignore

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor { return ops.matmul(this, o); } // prettier-ignore

  // ---- movement (views: no copy) ----
  reshape(...shape: number[] | [readonly number[]]): Tensor { return ops.reshape(this, flat(shape)); } // prettier-ignore
  view(...shape: number[] | [readonly number[]]): Tensor { return ops.view(this, flat(shape)); } // prettier-ignore
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); } // prettier-ignore
  squeeze(dim: number | null = null): Tensor { return ops.squeeze(this, dim); } // prettier-ignore
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); } // prettier-ignore
  permute(...dims: number[] | [readonly number[]]): Tensor { return ops.permute(this, flat(dims)); } // prettier-ignore
  transpose(dim0: number, dim1: number): Tensor { return ops.transpose(this, dim0, dim1); } // prettier-ignore
  get T(): Tensor { return ops.t(this); } // prettier-ignore
  t(): Tensor { return ops.t(this); } // prettier-ignore
  expand(...shape: number[] | [readonly number[]]): Tensor { return ops.expand(this, flat(shape)); } // prettier-ignore
  expandAs(other: Tensor): Tensor { return ops.expand(this, other.shape); } // prettier-ignore
  slice(dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor { return ops.slice(this, dim, start, end, step); } // prettier-ignore
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); } // prettier-ignore
  select(dim: number, index: number): Tensor { return ops.select(this, dim, index); } // prettier-ignore
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] { return ops.split(this, sizeOrSections, dim); } // prettier-ignore
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); } // prettier-ignore

  // ---- indexing ----
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); } // prettier-ignore
  indexSelect(dim: number, index: Tensor): Tensor { return ops.indexSelect(this, dim, index); } // prettier-ignore
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return ops.scatterAdd(this, dim, index, src); } // prettier-ignore
  maskedSelect(mask: Tensor): Tensor { return ops.maskedSelect(this, mask); } // prettier-ignore
}

function flat(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}
