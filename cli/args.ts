// Command-line parsing for `chainrule`: a small strict parser (--name value, --name=value, boolean
// switches, -h), typed value checks that name the flag, and the --help text built from the same table.

/** A usage error: printed as one line on stderr with exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure while running a command (missing file, bad checkpoint): one line on stderr, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** One flag of a command. */
export interface Flag {
  /** The flag without dashes, kebab-case: "batch-size". */
  name: string;
  /** What the value looks like in the help ("N", "FILE"); absent for a boolean switch. */
  value?: string;
  help: string;
}

/** What a command line parsed to: flag values by name (switches are "true"), and positional words. */
export interface Parsed {
  flags: Map<string, string>;
  positional: string[];
}

/** The edit distance of two short strings (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** " (did you mean --x?)" for the closest known name within 2 edits, else "". */
export function suggest(word: string, known: readonly string[], prefix = "--"): string {
  const best = known
    .map((k) => [k, distance(word, k)] as const)
    .filter(([, d]) => d <= (word.length <= 3 ? 1 : 2))
    .sort((a, b) => a[1] - b[1])[0];
  return best ? ` (did you mean ${prefix}${best[0]}?)` : "";
}

/** Parses `argv` against `flags`; unknown flags, missing values and repeated flags are UsageErrors. */
export function parseFlags(argv: readonly string[], flags: readonly Flag[], command: string): Parsed {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const out: Parsed = { flags: new Map(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out.flags.set("help", "true");
      continue;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      out.positional.push(arg);
      continue;
    }
    if (!arg.startsWith("--"))
      throw new UsageError(
        `unknown option '${arg}' (flags are long: --name value; see chainrule ${command} --help)`,
      );
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = byName.get(name);
    if (!flag) {
      const hint = suggest(name, [...byName.keys()]) || ` (see chainrule ${command} --help)`;
      throw new UsageError(`unknown option '--${name}'${hint}`);
    }
    if (out.flags.has(name)) throw new UsageError(`option --${name} is given twice`);
    if (!flag.value) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      out.flags.set(name, "true");
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--")))
      throw new UsageError(`option --${name} needs a value (${flag.value})`);
    out.flags.set(name, value);
  }
  return out;
}

/** The help text of a command: usage line, description, and the flag table. */
export function helpText(
  command: string,
  usage: string,
  description: string,
  flags: readonly Flag[],
): string {
  const left = flags.map((f) => `  --${f.name}${f.value ? ` ${f.value}` : ""}`);
  const width = Math.max(...left.map((l) => l.length), 20) + 2;
  const rows = flags.map((f, i) => {
    const [first, ...rest] = f.help.split("\n");
    return [left[i].padEnd(width) + first, ...rest.map((r) => " ".repeat(width) + r)].join("\n");
  });
  return [
    `Usage: chainrule ${command} ${usage}`,
    "",
    description,
    "",
    "Options:",
    ...rows,
    `${"  -h, --help".padEnd(width)}show this help`,
    "",
  ].join("\n");
}

// ---- typed values; `what` names the flag or config key in messages ----

/** A finite number. */
export function toNumber(what: string, raw: unknown): number {
  const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new UsageError(`${what} must be a number, got ${show(raw)}`);
  return v;
}

/** A number > 0. */
export function toPositive(what: string, raw: unknown): number {
  const v = toNumber(what, raw);
  if (v <= 0) throw new UsageError(`${what} must be greater than 0, got ${show(raw)}`);
  return v;
}

/** A number ≥ 0. */
export function toNonNegative(what: string, raw: unknown): number {
  const v = toNumber(what, raw);
  if (v < 0) throw new UsageError(`${what} must be 0 or more, got ${show(raw)}`);
  return v;
}

/** An integer ≥ min. */
export function toInt(what: string, raw: unknown, min: number): number {
  const v = toNumber(what, raw);
  if (!Number.isInteger(v) || v < min)
    throw new UsageError(`${what} must be an integer of at least ${min}, got ${show(raw)}`);
  return v;
}

/** A number in [lo, hi) (or [lo, hi] with `closed`). */
export function toRange(what: string, raw: unknown, lo: number, hi: number, closed = false): number {
  const v = toNumber(what, raw);
  if (v < lo || v > hi || (!closed && v === hi))
    throw new UsageError(`${what} must be in [${lo}, ${hi}${closed ? "]" : ")"}, got ${show(raw)}`);
  return v;
}

/** One of `choices`. */
export function toChoice<T extends string>(what: string, raw: unknown, choices: readonly T[]): T {
  if (typeof raw !== "string" || !(choices as readonly string[]).includes(raw)) {
    const hint = typeof raw === "string" ? suggest(raw, choices, "") : "";
    throw new UsageError(`${what} must be one of ${choices.join(", ")}; got ${show(raw)}${hint}`);
  }
  return raw as T;
}

/** A list of positive integers: "512,256" or [512, 256]; "" or [] is the empty list. */
export function toIntList(what: string, raw: unknown): number[] {
  const items = Array.isArray(raw)
    ? raw
    : typeof raw === "string"
      ? raw.trim() === ""
        ? []
        : raw.split(",").map((s) => s.trim())
      : null;
  if (items === null)
    throw new UsageError(`${what} must be a list of layer sizes like 512,256, got ${show(raw)}`);
  return items.map((item) => {
    const v = typeof item === "string" && item !== "" ? Number(item) : item;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
      throw new UsageError(`${what} must be a list of positive integers like 512,256, got ${show(raw)}`);
    return v;
  });
}

/** A value as messages quote it. */
export function show(raw: unknown): string {
  return typeof raw === "string" ? `'${raw}'` : (JSON.stringify(raw) ?? String(raw));
}
