// Node's built-in modules for the file functions of io/ and data/, looked up when a file function runs
// (process.getBuiltinModule) instead of imported, so that bundling chainrule for a browser needs no
// stubs; serialize/deserialize and everything else never touch them.
import type * as Crypto from "node:crypto";
import type * as Fs from "node:fs";
import type * as NodeModule from "node:module";
import type * as Path from "node:path";
import { ChainruleError } from "../util/errors.js";

interface Builtins {
  "node:fs": typeof Fs;
  "node:path": typeof Path;
  "node:crypto": typeof Crypto;
  "node:module": typeof NodeModule;
}

/** A Node built-in module; a clear error outside Node (or on Node < 20.16). */
export function builtin<K extends keyof Builtins>(id: K, op: string): Builtins[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new ChainruleError(op, `needs Node.js ≥ 20.16 to reach the file system (${id})`);
  return mod as Builtins[K];
}
