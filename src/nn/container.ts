// Containers: Sequential (a chain, children named 0, 1, 2, …), ModuleList and ModuleDict (registered
// collections without a forward of their own).
import { linearRelu } from "../ops/index.js";
import { recycle } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check } from "../util/errors.js";
import { ReLU } from "./activation.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

function position(op: string, i: number, n: number): number {
  check(Number.isInteger(i) && i >= -n && i < n, op, () => `index ${i} is out of range for ${n} modules`);
  return i < 0 ? i + n : i;
}

/**
 * A chain of modules: `forward(x)` feeds x through each in order (the first one receives every input).
 * Children are named "0", "1", … (so parameters are `0.weight`, `2.bias`), or by the keys of a record.
 * A plain Linear followed by a plain ReLU (no hooks, no subclass) runs as one GEMM that applies the ReLU
 * as it stores its results when no gradient is recorded; the values are the same bit for bit.
 *
 * @example
 * const mlp = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
 * const named = new nn.Sequential({ fc1: new nn.Linear(2, 8), act: new nn.ReLU() });
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const [first] = modules;
    if (modules.length === 1 && !(first instanceof Module))
      for (const [name, m] of Object.entries(first)) this.registerModule(name, m);
    else (modules as Module[]).forEach((m, i) => this.registerModule(String(i), m));
  }
  get length(): number {
    return this.children().length;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const mods = this.children();
    return mods[position("Sequential.at", i, mods.length)];
  }
  /** Adds a module at the end, named by its position. */
  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
  forward(...inputs: Tensor[]): Tensor {
    const mods = this.childModules();
    if (mods.length === 0) {
      check(
        inputs.length === 1,
        "Sequential",
        () => `an empty Sequential takes 1 input, got ${inputs.length}`,
      );
      return inputs[0];
    }
    let x = inputs[0];
    let ours = false; // x is a fresh, ungraphed output of a plain Linear run here
    for (let i = 0; i < mods.length; i++) {
      const m = mods[i];
      const prev = x;
      const fused = i + 1 < mods.length && linearThenRelu(m, mods[i + 1]);
      if (fused && (i > 0 || inputs.length === 1)) {
        x = linearRelu(x, m.weight, m.bias);
        i++;
      } else x = i === 0 ? m.forward(...inputs) : m.forward(x);
      const made = x.gradFn === null && !x.requiresGrad && (fused || isPlainLinear(m));
      // A plain Linear keeps no reference to its input and its output never shares its input's store:
      // the previous output is dead once the next plain Linear has run.
      if (ours && made) recycle(prev.storage.array);
      ours = made;
    }
    return x;
  }
}

// A plain nn.Linear straight into a plain nn.ReLU, neither hooked nor overridden (a hook wraps forward as
// an own property): one GEMM whose store step applies the ReLU when no gradient is recorded.
const plain = (m: Module): boolean => !Object.hasOwn(m, "forward");
const isPlainLinear = (m: Module): m is Linear => m.constructor === Linear && plain(m);
function linearThenRelu(a: Module, b: Module): a is Linear {
  return isPlainLinear(a) && b.constructor === ReLU && plain(b);
}

/**
 * A list of modules whose parameters are registered (a plain array is not): children "0", "1", ….
 * It has no forward; iterate over it in the owner's forward.
 */
export class ModuleList<T extends Module = Module> extends Module {
  constructor(modules: Iterable<T> = []) {
    super();
    this.extend(modules);
  }
  get length(): number {
    return this.children().length;
  }
  at(i: number): T {
    const mods = this.children() as T[];
    return mods[position("ModuleList.at", i, mods.length)];
  }
  append(module: T): this {
    this.registerModule(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<T>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  /** Inserts `module` before position `index` (the later ones are renamed). */
  insert(index: number, module: T): this {
    const mods = this.children() as T[];
    const at = index === mods.length ? index : position("ModuleList.insert", index, mods.length);
    mods.forEach((_, i) => this.unregister(String(i)));
    mods.splice(at, 0, module);
    return this.extend(mods);
  }
  [Symbol.iterator](): Iterator<T> {
    return (this.children() as T[])[Symbol.iterator]();
  }
  forward(): Tensor {
    throw new ChainruleError("ModuleList", "has no forward; call its modules in your own forward");
  }
}

/** Modules registered by key (keys must not clash with Module's own members). It has no forward. */
export class ModuleDict<T extends Module = Module> extends Module {
  constructor(modules: Record<string, T> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  get size(): number {
    return this.children().length;
  }
  get(key: string): T | undefined {
    return this.namedChildren().find(([k]) => k === key)?.[1] as T | undefined;
  }
  set(key: string, module: T): this {
    this.registerModule(key, module);
    return this;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this.unregister(key);
    return true;
  }
  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }
  values(): T[] {
    return this.children() as T[];
  }
  entries(): [string, T][] {
    return this.namedChildren() as [string, T][];
  }
  forward(): Tensor {
    throw new ChainruleError("ModuleDict", "has no forward; call its modules in your own forward");
  }
}
