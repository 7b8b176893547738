// chainrule's visualizations: the recorded graph (forward and backward) as data, DOT and SVG; the backprop
// trace as text, JSON and animated HTML; and browser-free SVG plots. Exports only.
export * from "./model.js";
export { OP_FORMULAS, opFormula, type OpFormula, type RecordedOp } from "./formulas.js";
export { captureGraph, type CaptureOptions } from "./graph.js";
export { captureModule, type ModuleCaptureOptions } from "./module-graph.js";
export { backwardGraph } from "./reverse-graph.js";
export { toDot, renderSvg, svgElement, dotString, type DotOptions } from "./dot.js";
export {
  traceBackward,
  traceToText,
  traceToJson,
  type BackpropTrace,
  type TraceStep,
  type TraceFlow,
} from "./trace.js";
export { traceToHtml, type TraceHtmlOptions } from "./trace-html.js";
export { lineChart, type Series, type LineChartOptions } from "./plot/line.js";
export { scatterPlot, type ScatterOptions, type Points2d } from "./plot/scatter.js";
export { decisionBoundary, type BoundaryOptions } from "./plot/boundary.js";
export {
  activationGallery,
  activationCurves,
  DEFAULT_ACTIVATIONS,
  type Activation,
  type GalleryOptions,
} from "./plot/gallery.js";
export { PALETTE } from "./plot/svg.js";
