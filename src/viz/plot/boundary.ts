// Decision-boundary plots of a 2-D classifier: the plane coloured by predicted class (lighter where the
// classifier is less sure), the boundary between classes as a line, and the dataset on top.
import { noGrad } from "../../autograd/grad-mode.js";
import { sigmoid, softmax } from "../../ops/index.js";
import { tensor } from "../../tensor/create.js";
import { isFloat } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { check, fmtShape } from "../../util/errors.js";
import { chartLayout, drawAxes, drawLegend, drawTitle, legendWidth, type Scale } from "./axes.js";
import { classLabels, classLegend, drawPoints, paddedExtent, pointCoords, type Points2d } from "./scatter.js";
import { color, el, svgDocument, tint, type Rect } from "./svg.js";

/** Options of decisionBoundary. */
export interface BoundaryOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  fontSize?: number;
  /** Size in px (default 560 × 460). */
  width?: number;
  height?: number;
  /** Grid cells across the plot (default 90). */
  resolution?: number;
  classNames?: string[];
  /** Point radius in px (default 4). */
  radius?: number;
}

/** The predicted class and confidence in [0, 1] (0 = chance, 1 = certain) of each grid point. */
interface Prediction {
  label: number[];
  confidence: number[];
  classes: number;
}

/**
 * Reads a classifier's output on M points: [M, C] probabilities (rows in the simplex) or logits (softmax
 * applied), [M] or [M, 1] probabilities of class 1 or logits (sigmoid applied), or integer labels [M].
 */
function interpret(out: Tensor, m: number): Prediction {
  check(
    out.numel === m || (out.ndim === 2 && out.shape[0] === m),
    "decisionBoundary",
    () =>
      `the classifier returned shape ${fmtShape(out.shape)} for ${m} points; expected [${m}], [${m}, 1] or [${m}, C]`,
  );
  if (!isFloat(out.dtype)) {
    const label = Array.from(out.toTypedArray(), Number);
    return { label, confidence: label.map(() => 1), classes: Math.max(2, ...label.map((v) => v + 1)) };
  }
  const c = out.numel === m ? 1 : out.shape[1];
  let p = Array.from(out.toTypedArray(), Number);
  if (p.some((v) => v < 0 || v > 1) || (c > 1 && !rowsSumToOne(p, c)))
    p = Array.from((c === 1 ? sigmoid(out) : softmax(out, 1)).toTypedArray(), Number);
  if (c === 1)
    return {
      label: p.map((v) => (v >= 0.5 ? 1 : 0)),
      confidence: p.map((v) => Math.abs(2 * v - 1)),
      classes: 2,
    };
  const label: number[] = [];
  const confidence: number[] = [];
  for (let i = 0; i < m; i++) {
    const row = p.slice(i * c, i * c + c);
    const k = row.indexOf(Math.max(...row));
    label.push(k);
    confidence.push((row[k] - 1 / c) / (1 - 1 / c));
  }
  return { label, confidence, classes: c };
}

function rowsSumToOne(p: readonly number[], c: number): boolean {
  for (let i = 0; i < p.length; i += c) {
    let s = 0;
    for (let k = 0; k < c; k++) s += p[i + k];
    if (Math.abs(s - 1) > 1e-3) return false;
  }
  return true;
}

/** Cell fills (merged into runs along each row) and the boundary between cells of different classes. */
function drawGrid(f: Rect, cols: number, rows: number, pred: Prediction): string {
  const cw = f.width / cols;
  const ch = f.height / rows;
  const at = (i: number, j: number) => j * cols + i;
  const fill = (k: number) =>
    tint(color(pred.label[k]), 0.15 + (0.45 * Math.round(pred.confidence[k] * 4)) / 4);
  const rects: string[] = [];
  const edges: string[] = [];
  for (let j = 0; j < rows; j++) {
    const y = f.y + f.height - (j + 1) * ch; // row 0 is the bottom (smallest y value)
    for (let i = 0; i < cols;) {
      const c = fill(at(i, j));
      let end = i + 1;
      while (end < cols && fill(at(end, j)) === c) end++;
      rects.push(el("rect", { x: f.x + i * cw, y, width: (end - i) * cw + 0.5, height: ch + 0.5, fill: c }));
      i = end;
    }
    for (let i = 0; i < cols; i++) {
      const x = f.x + (i + 1) * cw;
      if (i + 1 < cols && pred.label[at(i, j)] !== pred.label[at(i + 1, j)])
        edges.push(`M${x.toFixed(2)} ${y.toFixed(2)}v${ch.toFixed(2)}`);
      if (j + 1 < rows && pred.label[at(i, j)] !== pred.label[at(i, j + 1)])
        edges.push(`M${(x - cw).toFixed(2)} ${y.toFixed(2)}h${cw.toFixed(2)}`);
    }
  }
  const grid = el("g", { class: "regions", "shape-rendering": "crispEdges" }, rects.join("\n"));
  const line = el("path", {
    class: "boundary",
    d: edges.join("") || "M0 0",
    stroke: "#222",
    "stroke-width": 1.5,
    fill: "none",
  });
  return `${grid}\n${line}`;
}

/** The classifier evaluated at the centres of a cols × rows grid over the scales' domains. */
function predictGrid(
  classify: (x: Tensor) => Tensor,
  xs: Scale,
  ys: Scale,
  cols: number,
  rows: number,
): Prediction {
  const flat: number[] = [];
  const [x0, x1] = xs.domain;
  const [y0, y1] = ys.domain;
  for (let j = 0; j < rows; j++)
    for (let i = 0; i < cols; i++)
      flat.push(x0 + ((i + 0.5) / cols) * (x1 - x0), y0 + ((j + 0.5) / rows) * (y1 - y0));
  const grid = tensor(new Float32Array(flat), { shape: [cols * rows, 2] });
  return noGrad(() => interpret(classify(grid), cols * rows));
}

/**
 * The decision regions of a classifier of 2-D inputs, as a standalone SVG document. `classify` maps a
 * float32 [M, 2] tensor to class probabilities [M, C], logits (softmax is applied when rows are not
 * probabilities), one probability or logit of class 1 per point ([M] or [M, 1]), or int labels [M]; it is
 * called once, without gradients, on a grid over the data's range. Regions are tinted by class, paler
 * where the top class is less sure; the boundary is drawn as a line; the points (one `<circle>` each)
 * are coloured by their true `labels`.
 *
 * @example
 * const svg = viz.decisionBoundary((x) => net.forward(x).softmax(1), X, y, { title: "XOR, MLP" });
 */
export function decisionBoundary(
  classify: (x: Tensor) => Tensor,
  points: Points2d,
  labels: Tensor | ArrayLike<number>,
  opts: BoundaryOptions = {},
): string {
  const { xs, ys } = pointCoords("decisionBoundary", points);
  const truth = classLabels("decisionBoundary", labels, xs.length);
  const width = opts.width ?? 560;
  const height = opts.height ?? 460;
  const fs = opts.fontSize ?? 11;
  const entries = classLegend(truth, opts.classNames);
  const lay = chartLayout({
    width,
    height,
    title: opts.title,
    legend: legendWidth(entries, fs),
    xDomain: paddedExtent(xs),
    yDomain: paddedExtent(ys),
    axes: { ...opts, grid: false },
  });
  const cols = opts.resolution ?? 90;
  const rows = Math.max(2, Math.round((cols * lay.frame.height) / lay.frame.width));
  const pred = predictGrid(classify, lay.xs, lay.ys, cols, rows);
  const body = [
    opts.title ? drawTitle(opts.title, width / 2, 24, fs + 4) : "",
    drawGrid(lay.frame, cols, rows, pred),
    drawAxes(lay.frame, lay.xs, lay.ys, { ...opts, grid: false }),
    drawPoints(xs, ys, truth, lay.xs, lay.ys, opts.radius ?? 4),
    drawLegend(entries, lay.frame.x + lay.frame.width + 14, lay.frame.y, fs),
  ];
  return svgDocument(width, height, body.filter((s) => s !== "").join("\n"), opts.title);
}
