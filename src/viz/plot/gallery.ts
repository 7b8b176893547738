// The activation gallery: each nonlinearity and its derivative (computed with autograd, not by hand) as
// small multiples in one SVG; activationCurves gives the numbers behind a panel.
import { gradients } from "../../autograd/backward.js";
import { enableGrad } from "../../autograd/grad-mode.js";
import * as F from "../../nn/functional/index.js";
import { linspace } from "../../tensor/create.js";
import type { Tensor } from "../../tensor/tensor.js";
import { check } from "../../util/errors.js";
import { chartLayout, drawAxes, drawLegend, drawTitle, type LegendEntry } from "./axes.js";
import { drawSeries, seriesDomains, type Series } from "./line.js";
import { svgDocument, text, textWidth } from "./svg.js";

/** A named elementwise function of a tensor. */
export interface Activation {
  name: string;
  fn: (x: Tensor) => Tensor;
}

/** sigmoid, tanh, ReLU, leaky ReLU (slope 0.1), ELU, GELU, softplus, SiLU and Mish. */
export const DEFAULT_ACTIVATIONS: readonly Activation[] = [
  { name: "sigmoid", fn: F.sigmoid },
  { name: "tanh", fn: F.tanh },
  { name: "ReLU", fn: F.relu },
  { name: "leaky ReLU (0.1)", fn: (x) => F.leakyRelu(x, { negativeSlope: 0.1 }) },
  { name: "ELU", fn: (x) => F.elu(x) },
  { name: "GELU", fn: (x) => F.gelu(x) },
  { name: "softplus", fn: (x) => F.softplus(x) },
  { name: "SiLU (swish)", fn: F.silu },
  { name: "Mish", fn: F.mish },
];

/**
 * f and f′ sampled at `points` evenly spaced x in `range` (float64), the derivative by reverse-mode
 * autodiff: f′(xᵢ) = ∂(Σⱼ f(xⱼ))/∂xᵢ, which holds because f acts elementwise.
 */
export function activationCurves(
  fn: (x: Tensor) => Tensor,
  range: [number, number] = [-4, 4],
  points = 201,
): { x: number[]; y: number[]; dy: number[] } {
  check(points >= 2, "activationCurves", () => `points must be at least 2, got ${points}`);
  const x = linspace(range[0], range[1], points, { dtype: "float64" }).requiresGrad_();
  const { y, dy } = enableGrad(() => {
    const out = fn(x);
    const [g] = gradients([out.sum()], [x]);
    return { y: out, dy: g };
  });
  const read = (t: Tensor) => Array.from(t.detach().toTypedArray(), Number);
  return { x: read(x), y: read(y), dy: read(dy) };
}

/** Options of activationGallery. */
export interface GalleryOptions {
  activations?: readonly Activation[];
  /** The x interval of every panel (default [-4, 4]). */
  range?: [number, number];
  /** Samples per curve (default 201). */
  points?: number;
  /** Panels per row (default 3). */
  columns?: number;
  /** Size of one panel in px (default 250 × 190). */
  panelWidth?: number;
  panelHeight?: number;
  title?: string;
}

/**
 * Small multiples of activation functions (default DEFAULT_ACTIVATIONS): each panel draws f(x) (solid)
 * and f′(x) (dashed, from autograd) with its own y axis, titled with the function's name; one legend on
 * top. Two `<path>`s per panel.
 */
export function activationGallery(opts: GalleryOptions = {}): string {
  const acts = opts.activations ?? DEFAULT_ACTIVATIONS;
  const cols = Math.min(opts.columns ?? 3, Math.max(acts.length, 1));
  const pw = opts.panelWidth ?? 250;
  const ph = opts.panelHeight ?? 190;
  const title = opts.title ?? "Activation functions and their derivatives";
  const fs = 10;
  const top = 64;
  const width = cols * pw + 16;
  const height = top + Math.ceil(acts.length / cols) * ph + 8;
  const legend: LegendEntry[] = [
    { label: "f(x)", color: "#0072B2", mark: "line" },
    { label: "f′(x) (autograd)", color: "#D55E00", mark: "dash" },
  ];
  const legendX = width / 2 - (textWidth("f(x)", 11) + textWidth("f′(x) (autograd)", 11) + 100) / 2;
  const body = [
    drawTitle(title, width / 2, 24, 15),
    drawLegend(legend.slice(0, 1), legendX, 34, 11),
    drawLegend(legend.slice(1), legendX + textWidth("f(x)", 11) + 60, 34, 11),
  ];
  acts.forEach((a, k) => {
    const c = activationCurves(a.fn, opts.range ?? [-4, 4], opts.points ?? 201);
    const series: Series[] = [
      { y: c.y, x: c.x, color: "#0072B2" },
      { y: c.dy, x: c.x, color: "#D55E00", dash: true },
    ];
    const d = seriesDomains(series, {});
    const origin = { x: 8 + (k % cols) * pw, y: top + Math.floor(k / cols) * ph };
    const lay = chartLayout({
      width: pw,
      height: ph,
      title: a.name,
      legend: 0,
      xDomain: d.x,
      yDomain: d.y,
      axes: { fontSize: fs },
      origin,
    });
    body.push(
      text(lay.frame.x + lay.frame.width / 2, origin.y + 18, a.name, {
        "text-anchor": "middle",
        "font-size": 12,
      }),
      drawAxes(lay.frame, lay.xs, lay.ys, { fontSize: fs }),
      drawSeries(series, lay.frame, lay.xs, lay.ys, `clip-${k}`),
    );
  });
  return svgDocument(width, height, body.join("\n"), title);
}
