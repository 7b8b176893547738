// Readable errors: every message names the operation, what it received and what it expected.

/** An error raised by a chainrule operation; `op` names the operation that refused its input. */
export class ChainruleError extends Error {
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
    this.name = "ChainruleError";
  }
}

/** Throws a ChainruleError for `op` unless `cond` holds. */
export function check(cond: unknown, op: string, message: () => string): asserts cond {
  if (!cond) throw new ChainruleError(op, message());
}

/** `[2,3]`: the way every message prints a shape. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
