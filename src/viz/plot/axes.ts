// Scales (linear and log, with "nice" ticks and their labels) and the drawing of a plot frame: grid,
// ticks, tick labels and axis labels. Used by every chart in this folder.
import { el, text, textWidth, type Rect } from "./svg.js";

/** A map from data values to pixels along one axis, with its ticks. */
export interface Scale {
  map(v: number): number;
  /** The (possibly widened) data interval drawn. */
  domain: [number, number];
  ticks: number[];
  format(v: number): string;
  log: boolean;
}

/** Min and max of the finite values (positive ones only for a log axis); null when there are none. */
export function extent(values: Iterable<number>, log = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : null;
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(target, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

function linearFormat(step: number, maxAbs: number): (v: number) => string {
  if (maxAbs >= 1e5 || (step < 1e-3 && maxAbs < 1e-2))
    return (v) => (v === 0 ? "0" : v.toExponential(1).replace(/\.0e/, "e").replace("e+", "e"));
  let decimals = 0;
  while (decimals < 12 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6)
    decimals++;
  return (v) => (Math.abs(v) < step / 1e6 ? 0 : v).toFixed(decimals);
}

/** A linear scale over `domain` (widened to whole ticks) onto `range`, with about `target` ticks. */
export function linearScale(domain: [number, number], range: [number, number], target: number): Scale {
  let [lo, hi] = domain;
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep(hi - lo, target);
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; a + i * step <= b + step * 1e-9; i++) ticks.push(Number((a + i * step).toPrecision(12)));
  const [r0, r1] = range;
  return {
    map: (v) => r0 + ((v - a) / (b - a)) * (r1 - r0),
    domain: [a, b],
    ticks,
    format: linearFormat(step, Math.max(Math.abs(a), Math.abs(b))),
    log: false,
  };
}

function logFormat(v: number): string {
  const e = Math.round(Math.log10(v));
  if (Math.abs(v - 10 ** e) < 1e-9 * v && (e < -3 || e > 4)) return `1e${e}`;
  return e < -3 || e > 4 ? v.toExponential(0).replace("e+", "e") : String(Number(v.toPrecision(6)));
}

const pow10 = (e: number): number => Number(`1e${e}`); // exact, unlike 10 ** -4

/** A base-10 log scale over the positive `domain` (widened to whole decades) onto `range`. */
export function logScale(domain: [number, number], range: [number, number], target: number): Scale {
  let e0 = Math.floor(Math.log10(domain[0]) + 1e-9);
  let e1 = Math.ceil(Math.log10(domain[1]) - 1e-9);
  if (e1 === e0) e1 = e0 + 1;
  const every = Math.max(1, Math.ceil((e1 - e0) / Math.max(target, 1)));
  [e0, e1] = [Math.floor(e0 / every) * every, Math.ceil(e1 / every) * every]; // whole ticks at both ends
  const decades = e1 - e0;
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e += every) {
    ticks.push(pow10(e));
    if (decades <= 2 && e < e1) ticks.push(2 * pow10(e), 5 * pow10(e));
  }
  const [r0, r1] = range;
  return {
    map: (v) => r0 + ((Math.log10(v) - e0) / (e1 - e0)) * (r1 - r0),
    domain: [pow10(e0), pow10(e1)],
    ticks: ticks.sort((p, q) => p - q),
    format: logFormat,
    log: true,
  };
}

/**
 * A scale whose tick labels fit: the most ticks (up to one per `minGap` px) whose labels do not collide.
 * `horizontal` axes compare label widths, vertical ones the font height.
 */
export function fitScale(
  domain: [number, number],
  range: [number, number],
  opts: { log?: boolean; fontSize: number; horizontal: boolean },
): Scale {
  const length = Math.abs(range[1] - range[0]);
  const make = (t: number): Scale => (opts.log ? logScale : linearScale)(domain, range, t);
  for (let target = Math.max(2, Math.floor(length / (opts.horizontal ? 45 : 36))); target > 2; target--) {
    const s = make(target);
    const gap = length / Math.max(s.ticks.length - 1, 1);
    const need = opts.horizontal
      ? Math.max(...s.ticks.map((v) => textWidth(s.format(v), opts.fontSize))) + 10
      : opts.fontSize * 1.8;
    if (gap >= need) return s;
  }
  return make(2);
}

/** Axis titles and font size of a frame. */
export interface AxesOptions {
  xLabel?: string;
  yLabel?: string;
  fontSize?: number;
  /** Light grid lines at the ticks (default true). */
  grid?: boolean;
}

/** Space needed left of a frame for y tick labels (and the y axis label). */
export function leftMargin(ys: Scale, opts: AxesOptions): number {
  const fs = opts.fontSize ?? 11;
  const w = Math.max(...ys.ticks.map((v) => textWidth(ys.format(v), fs)));
  return w + 10 + (opts.yLabel ? fs + 12 : 0) + 4;
}

/** Space needed below a frame for x tick labels (and the x axis label). */
export function bottomMargin(opts: AxesOptions): number {
  const fs = opts.fontSize ?? 11;
  return fs + 12 + (opts.xLabel ? fs + 12 : 0) + 4;
}

/** Grid, frame, ticks, tick labels and axis labels around `f`. */
export function drawAxes(f: Rect, xs: Scale, ys: Scale, opts: AxesOptions = {}): string {
  const fs = opts.fontSize ?? 11;
  const out: string[] = [];
  const bottom = f.y + f.height;
  const grid = opts.grid ?? true;
  for (const v of xs.ticks) {
    const x = xs.map(v);
    if (grid) out.push(el("line", { x1: x, y1: f.y, x2: x, y2: bottom, stroke: "#e6e6e6" }));
    out.push(el("line", { x1: x, y1: bottom, x2: x, y2: bottom + 4, stroke: "#555" }));
    out.push(text(x, bottom + 8 + fs * 0.8, xs.format(v), { "text-anchor": "middle", "font-size": fs }));
  }
  for (const v of ys.ticks) {
    const y = ys.map(v);
    if (grid) out.push(el("line", { x1: f.x, y1: y, x2: f.x + f.width, y2: y, stroke: "#e6e6e6" }));
    out.push(el("line", { x1: f.x - 4, y1: y, x2: f.x, y2: y, stroke: "#555" }));
    out.push(text(f.x - 7, y + fs * 0.35, ys.format(v), { "text-anchor": "end", "font-size": fs }));
  }
  out.push(el("rect", { x: f.x, y: f.y, width: f.width, height: f.height, fill: "none", stroke: "#888" }));
  if (opts.xLabel)
    out.push(
      text(f.x + f.width / 2, bottom + 12 + fs * 1.9, opts.xLabel, {
        "text-anchor": "middle",
        "font-size": fs + 1,
      }),
    );
  if (opts.yLabel) {
    const w = Math.max(...ys.ticks.map((v) => textWidth(ys.format(v), fs)));
    const x = f.x - w - 14 - fs * 0.3;
    const y = f.y + f.height / 2;
    out.push(
      text(x, y, opts.yLabel, {
        "text-anchor": "middle",
        "font-size": fs + 1,
        transform: `rotate(-90 ${Math.round(x)} ${Math.round(y)})`,
      }),
    );
  }
  return out.join("\n");
}

/** One legend entry: a line sample (solid or dashed) or a square swatch. */
export interface LegendEntry {
  label: string;
  color: string;
  mark: "line" | "dash" | "swatch";
}

/** The width a vertical legend needs. */
export function legendWidth(entries: readonly LegendEntry[], fontSize: number): number {
  return entries.length === 0 ? 0 : Math.max(...entries.map((e) => textWidth(e.label, fontSize))) + 34;
}

/** A vertical legend whose top-left corner is (x, y). */
export function drawLegend(entries: readonly LegendEntry[], x: number, y: number, fontSize: number): string {
  const out: string[] = [];
  const step = fontSize * 1.6;
  entries.forEach((e, i) => {
    const cy = y + step * i + step / 2;
    if (e.mark === "swatch")
      out.push(el("rect", { x: x + 6, y: cy - 5, width: 10, height: 10, rx: 2, fill: e.color }));
    else
      out.push(
        el("line", {
          x1: x,
          y1: cy,
          x2: x + 22,
          y2: cy,
          stroke: e.color,
          "stroke-width": 2.5,
          "stroke-dasharray": e.mark === "dash" ? "5 3" : undefined,
        }),
      );
    out.push(text(x + 28, cy + fontSize * 0.35, e.label, { "font-size": fontSize }));
  });
  return out.join("\n");
}

/** Where a chart's plot area goes, with its scales, given the space its title and legend take. */
export interface ChartLayout {
  frame: Rect;
  xs: Scale;
  ys: Scale;
}

/** Lays out one chart of `width` × `height` px: title on top, legend on the right, axes around the frame. */
export function chartLayout(opts: {
  width: number;
  height: number;
  title?: string;
  legend: number;
  xDomain: [number, number];
  yDomain: [number, number];
  logX?: boolean;
  logY?: boolean;
  axes: AxesOptions;
  origin?: { x: number; y: number };
}): ChartLayout {
  const fs = opts.axes.fontSize ?? 11;
  const ox = opts.origin?.x ?? 0;
  const oy = opts.origin?.y ?? 0;
  const top = oy + (opts.title ? fs * 1.4 + 24 : 12);
  const bottom = oy + opts.height - bottomMargin(opts.axes);
  const ys = fitScale(opts.yDomain, [bottom, top], { log: opts.logY, fontSize: fs, horizontal: false });
  const left = ox + leftMargin(ys, opts.axes) + 4;
  const right = ox + opts.width - (opts.legend > 0 ? opts.legend + 20 : 16);
  const xs = fitScale(opts.xDomain, [left, right], { log: opts.logX, fontSize: fs, horizontal: true });
  return { frame: { x: left, y: top, width: right - left, height: bottom - top }, xs, ys };
}

/** A chart title centred over `width` at height `y`. */
export function drawTitle(title: string, x: number, y: number, fontSize: number): string {
  return text(x, y, title, { "text-anchor": "middle", "font-size": fontSize, "font-weight": "bold" });
}
