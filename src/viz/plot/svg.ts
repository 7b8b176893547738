// SVG string building for the plots: escaping, elements, the document wrapper, a colour-blind-safe
// palette and a text-width estimate for laying out labels without a browser. No plot logic here.

/** Escapes text for XML content and attribute values. */
export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

/** A coordinate with at most two decimals (keeps files small and diffs stable). */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

type AttrValue = string | number | undefined;

/** One element; attributes with undefined values are left out, numbers are rounded, text is escaped. */
export function el(tag: string, attrs: Record<string, AttrValue>, content?: string): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? num(v) : esc(v as string)}"`)
    .join("");
  return content === undefined ? `<${tag}${a}/>` : `<${tag}${a}>${content}</${tag}>`;
}

/** A text element (content escaped). */
export function text(x: number, y: number, s: string, attrs: Record<string, AttrValue> = {}): string {
  return el("text", { x, y, ...attrs }, esc(s));
}

export const FONT_FAMILY = "DejaVu Sans,Verdana,Helvetica,Arial,sans-serif";

/** A complete SVG document of the given size with a white background. */
export function svgDocument(width: number, height: number, body: string, title?: string): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT_FAMILY}" font-size="12">`;
  const t = title ? el("title", {}, esc(title)) : "";
  return `${head}\n${t}${el("rect", { width, height, fill: "white" })}\n${body}\n</svg>\n`;
}

/** Okabe & Ito's colour-blind-safe palette (black last). */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#F0E442",
  "#000000",
];

/** The colour of series or class `i`. */
export const color = (i: number): string => PALETTE[i % PALETTE.length];

/** `hex` mixed with white: `amount` 0 gives white, 1 the colour itself. */
export function tint(hex: string, amount: number): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const m = c.map((v) => Math.round(255 + (v - 255) * Math.min(Math.max(amount, 0), 1)));
  return `#${m.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * An upper estimate of the width of `s` in pixels at `size` px, for DejaVu Sans (among the widest common
 * sans fonts), so that labels laid out with it do not collide in any sans font.
 */
export function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s) {
    if ("il.,:;|!'ı".includes(ch)) w += 0.3;
    else if ("fjrt()[] -".includes(ch)) w += 0.42;
    else if ("mwMW%@—".includes(ch)) w += 0.95;
    else if (ch >= "A" && ch <= "Z") w += 0.72;
    else w += 0.64;
  }
  return w * size;
}

/** A frame: the rectangle of a plot area. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
