// The Optimizer base class (PyTorch's torch.optim.Optimizer): parameter groups with resolved
// hyper-parameters, per-parameter state, zeroGrad/step, and state dicts that resume training exactly.
// The update rules themselves live in sgd.ts, adam.ts, rmsprop.ts and adagrad.ts.
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { ChainruleError, check, fmtShape } from "../util/errors.js";
import { sameShape } from "../util/shape.js";

/** A hyper-parameter value: JSON-serializable (betas are a pair of numbers). */
export type HyperValue = number | boolean | readonly number[];

/** Every optimizer has a learning rate; schedulers read and write it. */
export interface BaseHyper {
  lr: number;
}

/** A parameter group as the optimizer holds it: its parameters and every hyper-parameter resolved. */
export type ParamGroup<H> = H & { params: Tensor[] };

/** A parameter group as the user passes it: parameters plus per-group overrides of the defaults. */
export type ParamGroupSpec<H> = Partial<H> & { params: Iterable<Tensor> | Tensor };

/** What an optimizer is built from: parameter tensors, or a list of parameter groups. */
export type ParamsArg<H> = Iterable<Tensor> | Iterable<ParamGroupSpec<H>>;

/** One parameter's saved state: tensors (momentum buffers, moment estimates) and numbers (step). */
export type SavedState = Record<string, Tensor | number>;

/**
 * An optimizer's state dict, laid out like PyTorch's: `state` keyed by parameter index (counting through
 * the groups in order), and `paramGroups` holding each group's hyper-parameters (plain JSON) with
 * the indices of its parameters.
 */
export interface OptimizerStateDict {
  state: Record<number, SavedState>;
  paramGroups: (Record<string, HyperValue> & { params: number[] })[];
}

/**
 * The base of every optimizer. Subclasses give their defaults, validate a resolved group and update
 * one parameter from its gradient; the base owns the groups, the state and their serialization.
 *
 * Updates run under `noGrad` and write into the parameter's own storage, so every module or view
 * holding the parameter sees the new values. Parameters whose `grad` is null are skipped.
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper, S extends object = object> {
  /** The parameter groups, each with its resolved hyper-parameters (schedulers change `lr` here). */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state (moment estimates, step counts), created on a parameter's first update. */
  readonly state = new Map<Tensor, S>();

  /**
   * @param name the optimizer's name, used in error messages.
   * @param params parameter tensors, or parameter groups `{params, ...overrides}`.
   * @param defaults the hyper-parameters a group takes when it does not set them (undefined = required).
   */
  constructor(
    readonly name: string,
    params: ParamsArg<H>,
    readonly defaults: { [K in keyof H]: H[K] | undefined },
  ) {
    check(
      params !== null &&
        typeof params === "object" &&
        !(params instanceof Tensor) &&
        Symbol.iterator in params,
      name,
      () =>
        "params must be an iterable of Tensors or of parameter groups {params, ...}, got " + describe(params),
    );
    const list = Array.from(params as Iterable<Tensor | ParamGroupSpec<H>>);
    check(list.length > 0, name, () => "optimizer got an empty parameter list");
    if (list.every((p) => p instanceof Tensor))
      this.addParamGroup({ params: list } as unknown as ParamGroupSpec<H>);
    else {
      check(
        list.every((g) => !(g instanceof Tensor) && typeof g === "object" && g !== null && "params" in g),
        name,
        () => "params must be all Tensors or all parameter groups {params, ...}, not a mix",
      );
      for (const g of list as ParamGroupSpec<H>[]) this.addParamGroup(g);
    }
  }

  /** Checks a resolved group's hyper-parameters; throws a ChainruleError naming the bad one. */
  protected abstract validate(group: H): void;
  /** The fresh state of a parameter before its first update. */
  protected abstract initState(param: Tensor, group: ParamGroup<H>): S;
  /** Updates one parameter in place from its gradient (called under noGrad). */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<H>, state: S): void;

  /** Adds a group of parameters; hyper-parameters it does not set come from the defaults. */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    check(
      spec !== null && typeof spec === "object" && "params" in spec,
      this.name,
      () => `a parameter group must be an object {params, ...}, got ${describe(spec)}`,
    );
    const { params: raw, ...overrides } = spec;
    const params = raw instanceof Tensor ? [raw] : Array.from(raw);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      check(p instanceof Tensor, this.name, () => `parameter ${i} is not a Tensor but ${describe(p)}`);
      check(
        isFloat(p.dtype),
        this.name,
        () => `can only optimize floating-point tensors, got a ${p.dtype} one`,
      );
      check(
        p.isLeaf,
        this.name,
        () => `can't optimize a non-leaf tensor (shape ${fmtShape(p.shape)}); detach() it`,
      );
      check(
        !seen.has(p),
        this.name,
        () => `parameter ${i} (shape ${fmtShape(p.shape)}) appears more than once`,
      );
      seen.add(p);
    });
    const group: Record<string, unknown> = { ...this.defaults };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) group[k] = v;
    for (const k of Object.keys(this.defaults))
      check(
        group[k] !== undefined,
        this.name,
        () => `parameter group didn't specify a value of required ${k}`,
      );
    this.validate(group as unknown as H);
    this.paramGroups.push({ ...(group as unknown as H), params });
  }

  /** Clears every parameter's gradient: sets it to null (default) or fills it with zeros. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups)
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else {
          const g = p.grad.detach();
          noGrad(() => g.zero_());
          p.grad = g;
        }
      }
  }

  /**
   * One update of every parameter that has a gradient. `closure`, if given, re-evaluates the model
   * (with gradients on) before the update; its result is returned.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) for (const p of group.params) this.#updateOne(p, group);
    });
    return loss;
  }

  #updateOne(p: Tensor, group: ParamGroup<H>): void {
    const grad = p.grad;
    if (grad === null) return;
    if (!sameShape(grad.shape, p.shape))
      throw new ChainruleError(
        this.name,
        `gradient of shape ${fmtShape(grad.shape)} for a parameter of shape ${fmtShape(p.shape)}`,
      );
    let st = this.state.get(p);
    if (st === undefined) this.state.set(p, (st = this.initState(p, group)));
    this.update(p, grad.dtype === p.dtype ? grad : grad.to(p.dtype), group, st);
  }

  /** A snapshot of the hyper-parameters and state (state tensors are copied, so later steps leave it alone). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      const ids = params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return { ...copyHyper(hyper), params: ids };
    });
    const state: Record<number, SavedState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = copyState(this.name, st as Record<string, unknown>);
    }
    return { state, paramGroups };
  }

  /**
   * Restores hyper-parameters and state saved by stateDict() (possibly of another optimizer instance with
   * the same group layout). State tensors are copied and cast to their parameter's dtype.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    check(
      sd !== null && typeof sd === "object" && Array.isArray(sd.paramGroups) && typeof sd.state === "object",
      this.name,
      () => "loadStateDict expects {state, paramGroups} as made by stateDict()",
    );
    check(
      sd.paramGroups.length === this.paramGroups.length,
      this.name,
      () =>
        `loaded state dict has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
    );
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((saved, gi) => {
      const own = this.paramGroups[gi].params;
      check(
        Array.isArray(saved.params) && saved.params.length === own.length,
        this.name,
        () =>
          `loaded parameter group ${gi} has ${saved.params?.length} parameters, the optimizer's has ${own.length}`,
      );
      saved.params.forEach((id, j) => byIndex.set(id, own[j]));
    });
    const state = new Map<Tensor, S>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      check(
        p !== undefined,
        this.name,
        () => `loaded state refers to parameter ${key}, which no group lists`,
      );
      state.set(p, loadState(this.name, saved, p) as S);
    }
    const groups = sd.paramGroups.map((saved) => {
      const { params: _ids, ...hyper } = saved;
      const group = { ...this.defaults, ...copyHyper(hyper) } as unknown as H;
      this.validate(group);
      return group;
    });
    groups.forEach((g, gi) => Object.assign(this.paramGroups[gi], g));
    this.state.clear();
    for (const [p, st] of state) this.state.set(p, st);
  }
}

function describe(x: unknown): string {
  if (x instanceof Tensor) return `a Tensor of shape ${fmtShape(x.shape)}`;
  return x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
}

function copyHyper(hyper: object): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const [k, v] of Object.entries(hyper))
    out[k] = Array.isArray(v) ? [...(v as number[])] : (v as HyperValue);
  return out;
}

function copyState(op: string, st: Record<string, unknown>): SavedState {
  const out: SavedState = {};
  for (const [k, v] of Object.entries(st)) {
    if (v === undefined) continue;
    if (v instanceof Tensor) out[k] = v.clone();
    else if (typeof v === "number") out[k] = v;
    else throw new ChainruleError(op, `state entry '${k}' is neither a Tensor nor a number`);
  }
  return out;
}

function loadState(op: string, saved: SavedState, p: Tensor): Record<string, Tensor | number> {
  const out: Record<string, Tensor | number> = {};
  for (const [k, v] of Object.entries(saved)) {
    if (typeof v === "number") {
      out[k] = v;
      continue;
    }
    check(v instanceof Tensor, op, () => `state entry '${k}' is neither a Tensor nor a number`);
    check(
      v.shape.length === p.shape.length && v.shape.every((d, i) => d === p.shape[i]),
      op,
      () => `state entry '${k}' has shape ${fmtShape(v.shape)}, its parameter has shape ${fmtShape(p.shape)}`,
    );
    out[k] = v.dtype === p.dtype ? v.clone() : v.to(p.dtype).detach();
  }
  return out;
}

/** Throws unless `value` is a finite number >= 0 (`what` names the hyper-parameter in the message). */
export function checkNonNegative(op: string, what: string, value: unknown): void {
  check(
    typeof value === "number" && value >= 0 && Number.isFinite(value),
    op,
    () => `invalid ${what}: ${String(value)} (expected a finite number >= 0)`,
  );
}

/** Throws unless `betas` is a pair of numbers each in [0, 1). */
export function checkBetas(op: string, betas: unknown): void {
  const ok =
    Array.isArray(betas) &&
    betas.length === 2 &&
    betas.every((b) => typeof b === "number" && b >= 0 && b < 1);
  check(ok, op, () => `invalid betas: ${JSON.stringify(betas)} (expected two numbers, each in [0, 1))`);
}

/** Throws unless `value` is a boolean. */
export function checkFlag(op: string, what: string, value: unknown): void {
  check(typeof value === "boolean", op, () => `${what} must be a boolean, got ${String(value)}`);
}

/** a + alpha·b, the order PyTorch's `add(b, alpha=…)` computes (alpha = 1 adds b exactly). */
export function addScaled(a: Tensor, b: Tensor, alpha: number): Tensor {
  return alpha === 1 ? a.add(b) : a.add(b.mul(alpha));
}
