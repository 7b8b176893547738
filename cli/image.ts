// Images for `chainrule predict` on MNIST models: PNG (via pngjs) and PGM (P2/P5) decoding to gray
// values in [0, 1], and MNIST's own preparation of a digit (white on black, the ink's bounding box
// scaled into 20×20 and centred by its centre of mass in 28×28).
import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { CliError } from "./args.js";

/** A grayscale image, values in [0, 1], row-major. */
export interface Gray {
  width: number;
  height: number;
  pixels: Float32Array;
}

/** Decodes a PNG; transparent pixels count as white paper. */
function decodePng(buf: Buffer, path: string): Gray {
  let png: PNG;
  try {
    png = PNG.sync.read(buf);
  } catch (e) {
    throw new CliError(`${path} is not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height, data } = png;
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const [r, g, b, a] = [data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3] / 255];
    const lum = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    pixels[i] = lum * a + (1 - a);
  }
  return { width, height, pixels };
}

/** Decodes a PGM (P2 text or P5 binary, 8- or 16-bit). */
function decodePgm(buf: Buffer, path: string): Gray {
  const fail = (why: string): never => {
    throw new CliError(`${path} is not a valid PGM image: ${why}`);
  };
  const magic = buf.subarray(0, 2).toString("latin1");
  if (magic !== "P2" && magic !== "P5") fail(`it starts with '${magic}', not P2 or P5`);
  let pos = 2;
  const token = (): number => {
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
      if (buf[pos] !== 0x23) break; // '#' comment to end of line
      while (pos < buf.length && buf[pos] !== 0x0a) pos++;
    }
    const start = pos;
    while (pos < buf.length && /[0-9]/.test(String.fromCharCode(buf[pos]))) pos++;
    if (start === pos) fail("the header or pixel data is cut short");
    return Number(buf.subarray(start, pos).toString("latin1"));
  };
  const [width, height, max] = [token(), token(), token()];
  if (width < 1 || height < 1 || max < 1 || max > 65535) fail(`bad size ${width}×${height} or maxval ${max}`);
  const pixels = new Float32Array(width * height);
  if (magic === "P2") for (let i = 0; i < pixels.length; i++) pixels[i] = token() / max;
  else {
    pos++; // the single whitespace after maxval
    const bytes = max > 255 ? 2 : 1;
    if (buf.length < pos + pixels.length * bytes) fail("the pixel data is cut short");
    for (let i = 0; i < pixels.length; i++)
      pixels[i] = (bytes === 2 ? buf.readUInt16BE(pos + 2 * i) : buf[pos + i]) / max;
  }
  return { width, height, pixels };
}

/** Reads a .png or .pgm file as grayscale. */
export function readGray(path: string): Gray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    throw new CliError(`image ${path} does not exist or cannot be read`);
  }
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return decodePng(buf, path);
  if (buf[0] === 0x50 && (buf[1] === 0x32 || buf[1] === 0x35)) return decodePgm(buf, path);
  throw new CliError(`${path} is neither a PNG nor a PGM (P2/P5) image`);
}

/** Samples `img` into a w×h box by averaging the source pixels each target pixel covers. */
function resample(
  img: Gray,
  x0: number,
  y0: number,
  sw: number,
  sh: number,
  w: number,
  h: number,
): Float32Array {
  const out = new Float32Array(w * h);
  for (let ty = 0; ty < h; ty++)
    for (let tx = 0; tx < w; tx++) {
      const [ya, yb] = [y0 + (ty * sh) / h, y0 + ((ty + 1) * sh) / h];
      const [xa, xb] = [x0 + (tx * sw) / w, x0 + ((tx + 1) * sw) / w];
      let sum = 0;
      let n = 0;
      for (let y = Math.floor(ya); y < Math.max(Math.ceil(yb), Math.floor(ya) + 1); y++)
        for (let x = Math.floor(xa); x < Math.max(Math.ceil(xb), Math.floor(xa) + 1); x++) {
          sum += img.pixels[Math.min(y, img.height - 1) * img.width + Math.min(x, img.width - 1)];
          n++;
        }
      out[ty * w + tx] = sum / n;
    }
  return out;
}

/**
 * An image as an MNIST digit: 784 values in [0, 1], white ink on black. Dark ink on light paper is
 * inverted. A 28×28 image is used as it is; any other size is cropped to its ink, scaled to fit 20×20
 * and centred by its centre of mass, as the MNIST digits were made.
 */
export function toMnistDigit(img: Gray): Float32Array {
  const mean = img.pixels.reduce((a, b) => a + b, 0) / img.pixels.length;
  const ink = mean > 0.5 ? img.pixels.map((v) => 1 - v) : img.pixels.slice();
  const src: Gray = { ...img, pixels: ink };
  if (img.width === 28 && img.height === 28) return ink;
  let [x0, y0, x1, y1] = [img.width, img.height, -1, -1];
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (ink[y * img.width + x] > 0.2)
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return resample(src, 0, 0, img.width, img.height, 28, 28);
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = 20 / Math.max(bw, bh);
  const [w, h] = [Math.max(1, Math.round(bw * scale)), Math.max(1, Math.round(bh * scale))];
  const digit = resample(src, x0, y0, bw, bh, w, h);
  let [mx, my, total] = [0, 0, 0];
  digit.forEach((v, i) => ((mx += v * (i % w)), (my += v * Math.floor(i / w)), (total += v)));
  const ox = Math.round(14 - (total ? mx / total : w / 2) - 0.5);
  const oy = Math.round(14 - (total ? my / total : h / 2) - 0.5);
  const out = new Float32Array(784);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [tx, ty] = [x + Math.min(28 - w, Math.max(0, ox)), y + Math.min(28 - h, Math.max(0, oy))];
      out[ty * 28 + tx] = digit[y * w + x];
    }
  return out;
}
