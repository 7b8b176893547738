// safetensors files on disk (Node): loadFile reads and validates one; saveFile writes one atomically
// (temporary file in the same folder, fsync, rename over the target, fsync the folder).
import type { Tensor } from "../tensor/tensor.js";
import { ChainruleError } from "../util/errors.js";
import { builtin } from "./node.js";
import { deserialize, serialize, type ReadOptions, type SafetensorsContent } from "./safetensors.js";

function tryUnlink(path: string): void {
  try {
    builtin("node:fs", "saveFile").unlinkSync(path);
  } catch {
    // already gone: nothing to clean up
  }
}

/** Flushes a folder's entries (the rename) to disk; platforms that cannot open folders skip it. */
function fsyncDir(dir: string): void {
  const { closeSync, fsyncSync, openSync } = builtin("node:fs", "saveFile");
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EPERM" && code !== "EISDIR") throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `bytes` to `path` so that, whenever the process or machine stops, `path` holds either its
 * old content or all of the new: the bytes go to a temporary file beside it, are flushed (fsync),
 * and the file is renamed over `path` (atomic on POSIX), then the folder is flushed.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const { closeSync, fsyncSync, openSync, renameSync, writeSync } = builtin("node:fs", "saveFile");
  const { basename, dirname, join, resolve } = builtin("node:path", "saveFile");
  const { randomBytes } = builtin("node:crypto", "saveFile");
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, "wx", 0o644);
  } catch (e) {
    throw new ChainruleError("saveFile", `cannot write in ${dir}: ${(e as Error).message}`);
  }
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, target);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    tryUnlink(tmp);
    throw new ChainruleError("saveFile", `cannot write ${path}: ${(e as Error).message}`);
  }
  fsyncDir(dir);
}

/**
 * Saves tensors (and optional string metadata) to a safetensors file, atomically (see
 * writeFileAtomic): an interrupted save leaves the previous file intact. Readable by any
 * safetensors reader (e.g. Python's `safetensors.torch.load_file`).
 *
 * @example
 * saveFile("weights.safetensors", model.stateDict(), { epoch: "3" });
 */
export function saveFile(
  path: string,
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, serialize(tensors, metadata));
}

/**
 * Loads a safetensors file: its tensors by name and its `__metadata__`. The file is validated
 * before anything is decoded (see deserialize); a damaged or malicious file is refused with an
 * error naming the file and the problem, and never makes the reader allocate more than the
 * file's size plus the decoded tensors.
 */
export function loadFile(path: string, opts: ReadOptions = {}): SafetensorsContent {
  const fs = builtin("node:fs", "loadFile");
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new ChainruleError("loadFile", `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return deserialize(bytes, opts);
  } catch (e) {
    if (e instanceof ChainruleError)
      throw new ChainruleError("loadFile", `${path}: ${e.message.slice(e.op.length + 2)}`);
    throw e;
  }
}
