// Module.summary: a torchinfo/Keras-style text table of a model's layers, output shapes and parameter
// counts, measured by one forward pass on zeros with forward hooks on every module.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { zeros } from "../tensor/create.js";
import { noGrad } from "../autograd/grad-mode.js";
import type { Module } from "./module.js";

export interface SummaryOptions {
  /** The dtype of the zero inputs (one for all, or one per input); default: the first parameter's, else float32. */
  dtype?: DType | readonly DType[];
}

interface Row {
  label: string;
  shape: string;
  params: string;
}

/** Thousands separators without locale dependence: 401920 → "401,920". */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function normalizeShapes(s: readonly number[] | readonly (readonly number[])[]): (readonly number[])[] {
  return s.length > 0 && Array.isArray(s[0])
    ? (s as readonly (readonly number[])[]).slice()
    : [s as number[]];
}

/** Output shapes of every module during one eval-mode, no-grad forward pass on zeros. */
function traceShapes(
  model: Module,
  shapes: (readonly number[])[],
  opts: SummaryOptions,
): Map<Module, readonly number[]> {
  const mods = model.modules();
  const fallback = model.parameters()[0]?.dtype ?? "float32";
  const dtypes = shapes.map((_, i) => {
    const d = opts.dtype;
    return (typeof d === "string" ? d : d?.[i]) ?? fallback;
  });
  const inputs: Tensor[] = shapes.map((s, i) => zeros(s, { dtype: dtypes[i] }));
  const seen = new Map<Module, readonly number[]>();
  const modes = mods.map((m) => m.training);
  const handles = mods.map((m) =>
    m.registerForwardHook((mod, _in, out) => {
      if (!seen.has(mod)) seen.set(mod, out.shape);
    }),
  );
  try {
    model.eval();
    noGrad(() => model.forward(...inputs));
  } finally {
    handles.forEach((h) => h.remove());
    mods.forEach((m, i) => (m.training = modes[i]));
  }
  return seen;
}

function rowsOf(model: Module, seen: Map<Module, readonly number[]>): Row[] {
  const rows: Row[] = [];
  const visit = (m: Module, label: string, lead: string): void => {
    const kids = m.namedChildren();
    const own = m.parameters({ recurse: false }).reduce((n, p) => n + p.numel, 0);
    const shape = seen.get(m);
    rows.push({
      label,
      shape: shape ? `[${shape.join(", ")}]` : "--",
      params: own === 0 && kids.length > 0 ? "--" : groupDigits(own),
    });
    kids.forEach(([n, c], i) => {
      const last = i === kids.length - 1;
      visit(c, `${lead}${last ? "└─" : "├─"}${n} (${c.constructor.name})`, lead + (last ? "  " : "│ "));
    });
  };
  visit(model, model.constructor.name, "");
  return rows;
}

/** The summary table (see Module.summary). */
export function summarize(
  model: Module,
  inputShape: readonly number[] | readonly (readonly number[])[],
  opts: SummaryOptions = {},
): string {
  const shapes = normalizeShapes(inputShape);
  const rows = rowsOf(model, traceShapes(model, shapes, opts));
  const head: Row = { label: "Layer (type)", shape: "Output Shape", params: "Param #" };
  const w = [
    Math.max(...[head, ...rows].map((r) => r.label.length)) + 4,
    Math.max(...[head, ...rows].map((r) => r.shape.length)) + 4,
    Math.max(...[head, ...rows].map((r) => r.params.length)),
  ];
  const line = (r: Row): string => r.label.padEnd(w[0]) + r.shape.padEnd(w[1]) + r.params.padStart(w[2]);
  const rule = "=".repeat(w[0] + w[1] + w[2]);
  const params = model.parameters();
  const total = params.reduce((n, p) => n + p.numel, 0);
  const trainable = params.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel, 0);
  const bytes = params.reduce((n, p) => n + p.numel * p.storage.array.BYTES_PER_ELEMENT, 0);
  return [
    rule,
    line(head),
    rule,
    ...rows.map(line),
    rule,
    `Input shape${shapes.length > 1 ? "s" : ""}: ${shapes.map((s) => `[${s.join(", ")}]`).join(", ")}`,
    `Total params: ${groupDigits(total)}`,
    `Trainable params: ${groupDigits(trainable)}`,
    `Non-trainable params: ${groupDigits(total - trainable)}`,
    `Params size (MB): ${(bytes / 1e6).toFixed(2)}`,
    rule,
  ].join("\n");
}
