// CSV data for training: an RFC 4180 reader (quotes, escaped quotes, CRLF) and loadCsv/parseCsv, which
// turn numeric feature columns and a target column into tensors, naming file, line and column in errors.
import { Tensor } from "../tensor/tensor.js";
import { ChainruleError } from "../util/errors.js";
import { builtin } from "../io/node.js";

/** Options of loadCsv / parseCsv. */
export interface CsvOptions {
  /** The target column: its header name, or its 0-based index (required when header is false). */
  target?: string | number;
  /** Whether the first record names the columns (default true). */
  header?: boolean;
  /** The field separator, one character (default ","). */
  delimiter?: string;
  /** "auto" (default): a numeric target is a regression target, any other a class label. */
  targetType?: "auto" | "class" | "number";
}

/** Features and target read from a CSV file. */
export interface CsvData {
  /** float32 [rows, features]: every column but the target. */
  x: Tensor;
  /** int32 [rows] class indices, or float32 [rows] for a numeric target; null without a target. */
  y: Tensor | null;
  featureNames: string[];
  targetName: string | null;
  /** For a class target: the labels in index order (sorted); y[i] indexes this list. */
  classes?: string[];
}

interface Records {
  rows: string[][];
  lines: number[]; // the 1-based line on which each record starts
}

/** A cursor over CSV text: position and 1-based line. */
interface Cursor {
  text: string;
  i: number;
  line: number;
}

/** Reads a quoted field starting at the opening quote; `""` inside stands for one quote. */
function readQuoted(c: Cursor, delimiter: string, source: string): string {
  const open = c.line;
  let field = "";
  for (c.i++; ;) {
    if (c.i >= c.text.length) throw csvError(source, open, "a quoted field is never closed");
    const ch = c.text[c.i++];
    if (ch === '"' && c.text[c.i] !== '"') break;
    if (ch === '"') c.i++;
    if (ch === "\n") c.line++;
    field += ch;
  }
  const next = c.text[c.i];
  if (c.i < c.text.length && next !== delimiter && next !== "\n" && next !== "\r")
    throw csvError(source, c.line, `unexpected ${JSON.stringify(next)} after a closing quote`);
  return field;
}

/** Reads one record's fields and the line end after it. */
function readRecord(c: Cursor, delimiter: string, source: string): string[] {
  const fields: string[] = [];
  for (;;) {
    if (c.text[c.i] === '"') fields.push(readQuoted(c, delimiter, source));
    else {
      const from = c.i;
      while (c.i < c.text.length && c.text[c.i] !== delimiter && c.text[c.i] !== "\n" && c.text[c.i] !== "\r")
        c.i++;
      fields.push(c.text.slice(from, c.i));
    }
    if (c.text[c.i] !== delimiter) break;
    c.i++;
  }
  if (c.text[c.i] === "\r") c.i++;
  if (c.text[c.i] === "\n") c.i++;
  c.line++;
  return fields;
}

/** Splits CSV text into records of fields (RFC 4180); skips empty lines. */
export function readRecords(text: string, delimiter: string, source: string): Records {
  const rows: string[][] = [];
  const lines: number[] = [];
  const c: Cursor = { text, i: text.charCodeAt(0) === 0xfeff ? 1 : 0, line: 1 };
  while (c.i < text.length) {
    const start = c.line;
    const fields = readRecord(c, delimiter, source);
    if (fields.length > 1 || fields[0] !== "") {
      rows.push(fields);
      lines.push(start);
    }
  }
  return { rows, lines };
}

function csvError(source: string, line: number, message: string): ChainruleError {
  return new ChainruleError("loadCsv", `${source}, line ${line}: ${message}`);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = new Set(["nan", "na", "n/a", "null", "none", "?"]);

/** The number in `cell`, or an error naming the place and what is wrong. */
function parseNumber(cell: string, where: () => string): number {
  const s = cell.trim();
  if (NUMBER.test(s)) return Number(s);
  if (s === "") throw new ChainruleError("loadCsv", `${where()}: empty cell (missing value)`);
  if (MISSING.has(s.toLowerCase()))
    throw new ChainruleError("loadCsv", `${where()}: missing value ${JSON.stringify(cell)} (NaN)`);
  throw new ChainruleError("loadCsv", `${where()}: non-numeric value ${JSON.stringify(cell)}`);
}

function columnNames(rec: Records, header: boolean, source: string): string[] {
  if (!header) return rec.rows[0].map((_, j) => String(j));
  const names = rec.rows[0].map((s) => s.trim());
  names.forEach((name, j) => {
    const first = names.indexOf(name);
    if (first !== j)
      throw csvError(
        source,
        rec.lines[0],
        `column ${j + 1} repeats the header name '${name}' of column ${first + 1}`,
      );
  });
  return names;
}

function targetIndex(names: string[], opts: CsvOptions, source: string): number {
  const t = opts.target;
  if (t === undefined) return -1;
  if (typeof t === "number") {
    if (Number.isInteger(t) && t >= 0 && t < names.length) return t;
    throw new ChainruleError(
      "loadCsv",
      `${source}: target column index ${t} is outside [0, ${names.length})`,
    );
  }
  if (opts.header === false)
    throw new ChainruleError("loadCsv", `${source}: without a header row, give the target as a column index`);
  const j = names.indexOf(t);
  if (j < 0)
    throw new ChainruleError(
      "loadCsv",
      `${source}: no column named '${t}'; the columns are ${names.map((n) => `'${n}'`).join(", ")}`,
    );
  return j;
}

/** The target column as class indices (sorted labels) or numbers. */
function encodeTarget(
  cells: string[],
  type: "auto" | "class" | "number",
  where: (r: number) => string,
): { y: Tensor; classes?: string[] } {
  cells.forEach((c, r) => {
    if (c.trim() === "") throw new ChainruleError("loadCsv", `${where(r)}: empty target cell`);
  });
  const numeric = cells.every((c) => NUMBER.test(c.trim()));
  if (type === "number" || (type === "auto" && numeric)) {
    const y = Float32Array.from(cells, (c, r) => parseNumber(c, () => where(r)));
    return { y: Tensor.fromData(y, [y.length], "float32") };
  }
  const labels = cells.map((c) => c.trim());
  const classes = [...new Set(labels)].sort((a, b) =>
    numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0,
  );
  const index = new Map(classes.map((c, k) => [c, k]));
  const y = Int32Array.from(labels, (l) => index.get(l) ?? -1);
  return { y: Tensor.fromData(y, [y.length], "int32"), classes };
}

/**
 * Parses CSV text into features and a target (see loadCsv); `source` names the text in errors.
 */
export function parseCsv(text: string, opts: CsvOptions & { source?: string } = {}): CsvData {
  const source = opts.source ?? "<csv>";
  const delimiter = opts.delimiter ?? ",";
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r")
    throw new ChainruleError("loadCsv", `delimiter must be one character other than a quote or newline`);
  const rec = readRecords(text, delimiter, source);
  if (rec.rows.length === 0) throw new ChainruleError("loadCsv", `${source} is empty`);
  const header = opts.header ?? true;
  const names = columnNames(rec, header, source);
  const t = targetIndex(names, opts, source);
  const body = header ? 1 : 0;
  const n = rec.rows.length - body;
  if (n === 0) throw new ChainruleError("loadCsv", `${source} has a header but no data rows`);
  const features = names.map((_, j) => j).filter((j) => j !== t);
  const x = new Float32Array(n * features.length);
  const where = (r: number, j: number): string =>
    `${source}, line ${rec.lines[r + body]}, column '${names[j]}' (${j + 1})`;
  for (let r = 0; r < n; r++) {
    const row = rec.rows[r + body];
    if (row.length !== names.length)
      throw csvError(
        source,
        rec.lines[r + body],
        `the row has ${row.length} cells but the ${header ? "header" : "first row"} has ${names.length}`,
      );
    features.forEach((j, k) => (x[r * features.length + k] = parseNumber(row[j], () => where(r, j))));
  }
  const target =
    t < 0
      ? null
      : encodeTarget(
          rec.rows.slice(body).map((row) => row[t]),
          opts.targetType ?? "auto",
          (r) => where(r, t),
        );
  return {
    x: Tensor.fromData(x, [n, features.length], "float32"),
    y: target?.y ?? null,
    featureNames: features.map((j) => names[j]),
    targetName: t < 0 ? null : names[t],
    ...(target?.classes ? { classes: target.classes } : {}),
  };
}

/**
 * Reads a CSV file of numeric feature columns and an optional target column (`target`, by header
 * name or index): x float32 [rows, features]; y int32 class indices when the target holds labels
 * (`classes` lists them, sorted), float32 values when it is numeric (regression). Quoted fields
 * (RFC 4180) are understood; empty lines are skipped. Missing columns, non-numeric cells, empty or
 * NaN cells and ragged rows are refused with the file, line and column in the message.
 *
 * @example
 * const { x, y, classes } = loadCsv("iris.csv", { target: "species" });
 */
export function loadCsv(path: string, opts: CsvOptions = {}): CsvData {
  const fs = builtin("node:fs", "loadCsv");
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    throw new ChainruleError("loadCsv", `cannot read ${path}: ${(e as Error).message}`);
  }
  return parseCsv(text, { ...opts, source: path });
}
