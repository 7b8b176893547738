// Module, the base of every layer: parameters, buffers and child modules found by name, train/eval mode,
// state dicts, forward hooks and the printed tree; Parameter, a trainable leaf tensor. Layers live in
// their own files; the summary table is built in summary.ts.
import { Tensor } from "../tensor/tensor.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { noGrad } from "../autograd/grad-mode.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";
import { summarize, type SummaryOptions } from "./summary.js";

/**
 * A tensor that a Module owns as a trainable weight: a leaf with `requiresGrad = true` (unless told
 * otherwise) sharing `data`'s storage. Assigning one to a module property registers it.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset, data.dtype);
    if (requiresGrad) this.requiresGrad_();
  }
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** A mapping from dotted names (`encoder.fc1.weight`) to tensors, in registration order. */
export type StateDict = Record<string, Tensor>;

/** What a non-strict loadStateDict leaves unmatched (both empty after a strict load). */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Called after a module's forward with its inputs and output; returning a tensor replaces the output. */
export type ForwardHook = (module: Module, inputs: Tensor[], output: Tensor) => Tensor | void;

type Kind = "parameter" | "buffer" | "module";
interface Slot {
  kind: Kind;
  persistent: boolean;
}

function registrationError(name: string, kind: Kind, value: unknown): ChainruleError {
  const got = value instanceof Tensor ? "a plain Tensor" : typeof value;
  const fix = kind === "parameter" ? "; wrap it in new Parameter(...)" : "";
  return new ChainruleError("Module", `'${name}' is registered as a ${kind} but now holds ${got}${fix}`);
}

/**
 * The base class of every layer (torch.nn.Module). A subclass assigns its Parameters and child Modules
 * to properties (class fields or `this.x = …` in the constructor); they are found by scanning the
 * module's own properties in insertion order, so `namedParameters()` yields PyTorch's dotted names
 * (`0.weight`, `encoder.fc1.bias`). Buffers (state that is saved but not trained, like BatchNorm's
 * running mean) are declared with `registerBuffer`. Call a model as `model.forward(x)`.
 *
 * @example
 * class Mlp extends nn.Module {
 *   fc1 = new nn.Linear(2, 8);
 *   fc2 = new nn.Linear(8, 1);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).tanh()); }
 * }
 */
export abstract class Module {
  /** Training mode (dropout active, batch statistics); `eval()` clears it throughout the tree. */
  training = true;
  readonly #slots = new Map<string, Slot>();
  readonly #hooks = new Set<ForwardHook>();
  #ownForward: PropertyDescriptor | undefined;
  #kids: { keys: string[]; values: unknown[]; list: [string, Module][]; modules: Module[] } | null = null;

  /** The computation; a Module is called as `module.forward(...inputs)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  // ---- registration ----
  /** Registers (or, with null, declares an empty slot for) a parameter under `name`. */
  registerParameter(name: string, param: Parameter | null): void {
    check(
      param === null || param instanceof Parameter,
      "registerParameter",
      () => `'${name}' must be a Parameter or null; wrap a tensor in new Parameter(tensor)`,
    );
    this.#register(name, "parameter", param, true);
  }
  /** Registers state that is not trained but is saved in the state dict (unless `persistent: false`). */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, opts: { persistent?: boolean } = {}): T {
    check(
      tensor === null || (tensor instanceof Tensor && !(tensor instanceof Parameter)),
      "registerBuffer",
      () => `'${name}' must be a Tensor (not a Parameter) or null`,
    );
    this.#register(name, "buffer", tensor, opts.persistent ?? true);
    return tensor;
  }
  /** Registers a child module under `name` (any string without dots, e.g. "0"). */
  registerModule(name: string, module: Module | null): void {
    check(
      module === null || module instanceof Module,
      "registerModule",
      () => `'${name}' must be a Module or null`,
    );
    this.#register(name, "module", module, true);
  }

  #register(name: string, kind: Kind, value: unknown, persistent: boolean): void {
    const op = `register${kind[0].toUpperCase()}${kind.slice(1)}`;
    check(name !== "" && !name.includes("."), op, () => `name must be non-empty without dots, got '${name}'`);
    const cur = this.#props()[name];
    check(
      !(name in this) ||
        this.#slots.has(name) ||
        (Object.hasOwn(this, name) && (cur == null || cur instanceof Tensor || cur instanceof Module)),
      op,
      () => `'${name}' would replace the ${this.constructor.name} member of that name`,
    );
    this.#sync();
    this.#slots.set(name, { kind, persistent });
    this.#props()[name] = value;
    this.#kids = null;
  }

  /** Removes a registered member (used by containers). */
  protected unregister(name: string): void {
    this.#kids = null;
    this.#slots.delete(name);
    Reflect.deleteProperty(this, name);
  }

  #props(): Record<string, unknown> {
    return this as unknown as Record<string, unknown>;
  }

  /** Registers own properties holding Parameters or Modules that were assigned since the last look. */
  #sync(): void {
    const props = this.#props();
    for (const key of Object.keys(this)) {
      if (this.#slots.has(key)) continue;
      const v = props[key];
      if (v instanceof Parameter) this.#slots.set(key, { kind: "parameter", persistent: true });
      else if (v instanceof Module) this.#slots.set(key, { kind: "module", persistent: true });
      else if (Array.isArray(v) && v.some((e) => e instanceof Module || e instanceof Parameter))
        throw new ChainruleError(
          "Module",
          `property '${key}' of ${this.constructor.name} is a plain array of modules or parameters, which ` +
            `would not be registered; use nn.ModuleList (or register each one)`,
        );
    }
  }

  /** The non-null members of one kind, in registration order. */
  #members<T>(kind: Kind, persistentOnly = false): [string, T][] {
    this.#sync();
    const props = this.#props();
    const out: [string, T][] = [];
    for (const [name, slot] of this.#slots) {
      if (slot.kind !== kind || (persistentOnly && !slot.persistent)) continue;
      const v = props[name] ?? null;
      if (v === null) continue;
      const ok =
        kind === "module"
          ? v instanceof Module
          : kind === "parameter"
            ? v instanceof Parameter
            : v instanceof Tensor && !(v instanceof Parameter);
      if (!ok) throw registrationError(name, kind, v);
      out.push([name, v as T]);
    }
    return out;
  }

  // ---- traversal ----
  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    return this.#children().map(([n, m]) => [n, m]);
  }
  children(): Module[] {
    return this.childModules().slice();
  }
  /** children() without the copy, for containers' forward passes (callers must not modify it). */
  protected childModules(): readonly Module[] {
    this.#children();
    return this.#kids!.modules;
  }

  // A Sequential asks for its children on every forward: they are kept while the own properties (names
  // and values) stay the same, which one look at Object.keys and the values confirms (~2x cheaper).
  #children(): readonly [string, Module][] {
    const keys = Object.keys(this);
    const props = this.#props();
    const c = this.#kids;
    let same = c !== null && c.keys.length === keys.length;
    for (let i = 0; same && i < keys.length; i++)
      same = keys[i] === c!.keys[i] && props[keys[i]] === c!.values[i];
    if (same) return c!.list;
    const list = this.#members<Module>("module");
    this.#kids = { keys, values: keys.map((k) => props[k]), list, modules: list.map(([, m]) => m) };
    return list;
  }
  /** This module and every descendant, pre-order, each once; this module's name is `prefix` ("" by default). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [n, c] of m.namedChildren()) visit(c, name ? `${name}.${n}` : n);
    };
    visit(this, prefix);
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }
  /** Every parameter (each once, even when shared) with its dotted name; `recurse: false` gives only this module's. */
  namedParameters(opts: { recurse?: boolean } = {}): [string, Parameter][] {
    return this.#collect<Parameter>("parameter", opts.recurse ?? true);
  }
  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map(([, p]) => p);
  }
  /** Every buffer with its dotted name. */
  namedBuffers(opts: { recurse?: boolean } = {}): [string, Tensor][] {
    return this.#collect<Tensor>("buffer", opts.recurse ?? true);
  }
  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  #collect<T extends Tensor>(kind: Kind, recurse: boolean): [string, T][] {
    const out: [string, T][] = [];
    const seen = new Set<T>();
    const mods: [string, Module][] = recurse ? this.namedModules() : [["", this]];
    for (const [prefix, m] of mods)
      for (const [n, t] of m.#members<T>(kind)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${n}` : n, t]);
      }
    return out;
  }

  // ---- modes and bulk changes ----
  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }
  /** Forgets every parameter's gradient (sets `.grad = null`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }
  /** Calls `fn` on every descendant (children first) and then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
  /** Turns gradient tracking of every parameter on or off (freezing). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }
  /** Converts every floating-point parameter and buffer to `dtype` (new Parameters: build optimizers after). */
  to(dtype: DType): this {
    check(isFloat(dtype), "Module.to", () => `expected a floating-point dtype, got ${dtype}`);
    noGrad(() => {
      for (const m of this.modules()) {
        const props = m.#props();
        for (const [n, p] of m.#members<Parameter>("parameter"))
          if (p.dtype !== dtype) props[n] = new Parameter(p.to(dtype), p.requiresGrad);
        for (const [n, b] of m.#members<Tensor>("buffer"))
          if (isFloat(b.dtype) && b.dtype !== dtype) props[n] = b.to(dtype);
      }
    });
    return this;
  }
  double(): this {
    return this.to("float64");
  }
  float(): this {
    return this.to("float32");
  }
  /** The number of parameter elements, each shared parameter once. */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !opts.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.numel, 0);
  }

  // ---- state dicts ----
  /**
   * Parameters and persistent buffers by dotted name, as detached tensors sharing the module's storage
   * (clone them for a snapshot that later training does not change).
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    const visit = (m: Module, prefix: string): void => {
      for (const [n, p] of m.#members<Parameter>("parameter")) out[prefix + n] = p.detach();
      for (const [n, b] of m.#members<Tensor>("buffer", true)) out[prefix + n] = b.detach();
      for (const [n, c] of m.namedChildren()) visit(c, `${prefix}${n}.`);
    };
    visit(this, "");
    return out;
  }

  /**
   * Copies `state` into the parameters and buffers in place (cast to their dtypes). Strict (default):
   * the keys must match exactly. Shapes must always match. Every problem is named in one error, and
   * nothing is copied unless the load can succeed.
   */
  loadStateDict(state: StateDict, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    const mismatched = Object.keys(own).filter((k) => k in state && !sameShape(own[k].shape, state[k].shape));
    const problems: string[] = mismatched.map(
      (k) =>
        `shape mismatch for '${k}': the state has ${fmtShape(state[k].shape)}, the model ${fmtShape(own[k].shape)}`,
    );
    if (strict && missingKeys.length > 0) problems.unshift(`missing keys: ${quoteList(missingKeys)}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${quoteList(unexpectedKeys)}`);
    if (problems.length > 0)
      throw new ChainruleError(
        "loadStateDict",
        `cannot load the state into ${this.constructor.name}:\n  ${problems.join("\n  ")}`,
      );
    noGrad(() => {
      for (const k of Object.keys(own)) if (k in state) own[k].copy_(state[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- hooks, summary, printing ----
  /** Runs `hook(module, inputs, output)` after every `forward` of this module; returns a remover. */
  registerForwardHook(hook: ForwardHook): { remove(): void } {
    if (this.#hooks.size === 0) this.#wrapForward();
    this.#hooks.add(hook);
    return {
      remove: () => {
        if (!this.#hooks.delete(hook) || this.#hooks.size > 0) return;
        if (this.#ownForward) Object.defineProperty(this, "forward", this.#ownForward);
        else Reflect.deleteProperty(this, "forward");
      },
    };
  }

  #wrapForward(): void {
    this.#ownForward = Object.getOwnPropertyDescriptor(this, "forward");
    const inner = this.forward;
    const wrapped = (...inputs: Tensor[]): Tensor => {
      let out = inner.apply(this, inputs);
      for (const h of [...this.#hooks]) out = h(this, inputs, out) ?? out;
      return out;
    };
    Object.defineProperty(this, "forward", { value: wrapped, configurable: true, writable: true });
  }

  /**
   * A table of every layer (name and type, output shape, own parameter count) and the totals, from a
   * forward pass on zeros of `inputShape` (or one shape per input) in eval mode without gradients.
   */
  summary(inputShape: readonly number[] | readonly (readonly number[])[], opts: SummaryOptions = {}): string {
    return summarize(this, inputShape, opts);
  }

  /** The layer's settings for printing, e.g. `inFeatures=2, outFeatures=8, bias=true`. */
  extraRepr(): string {
    return "";
  }

  /** The module tree, as PyTorch prints it. */
  toString(): string {
    const name = this.constructor.name;
    const kids = this.namedChildren();
    const extra = this.extraRepr();
    if (kids.length === 0) return `${name}(${extra})`;
    const lines = extra ? [extra] : [];
    for (const [n, c] of kids) lines.push(`(${n}): ${c.toString().replace(/\n/g, "\n  ")}`);
    return `${name}(\n  ${lines.join("\n  ")}\n)`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function quoteList(keys: readonly string[]): string {
  return keys.map((k) => `'${k}'`).join(", ");
}
