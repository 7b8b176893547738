// Weights packed once for the backend's matrix product (Backend.packMatmulB): linear's weight and the right
// operand of 2-D matmuls (which covers linear's g·W in backward). At inference a layer multiplies by the
// same unchanged weight call after call; packing it into the GEMM's panels each time cost ~4% of an MLP's
// forward pass (onnxruntime packs once, when a session is created). Each storage's
// entry records the version and view it was packed at: any in-place write bumps the version, and the
// packing is made again. A storage whose array code outside the library can reach (Storage.shared) is
// never packed, since writes there bump nothing.
import { backend, type Backend, type PackedB, type View } from "../backend/backend.js";
import type { Storage } from "../tensor/storage.js";

// The view is kept as numbers: a tensor here would hold on to its graph.
interface Entry {
  backend: Backend;
  version: number;
  offset: number;
  k: number;
  n: number;
  rs: number;
  cs: number;
  packed: PackedB | null;
}
const entries = new WeakMap<Storage, Entry>();

/** Products below this many multiply-adds spend their time elsewhere: not worth a lookup. */
const MIN_MACS = 1 << 15;

const sameView = (e: Entry, v: View): boolean =>
  e.offset === v.offset &&
  e.k === v.shape[0] &&
  e.n === v.shape[1] &&
  e.rs === v.strides[0] &&
  e.cs === v.strides[1];

const noted = (backend: Backend, version: number, v: View): Entry => ({
  backend,
  version,
  offset: v.offset,
  k: v.shape[0],
  n: v.shape[1],
  rs: v.strides[0],
  cs: v.strides[1],
  packed: null,
});

/**
 * The packing of the 2-D right operand `bv` over `storage` for a product with m rows, or undefined. The
 * first product at a version only takes note and the second packs, so a weight in training (a new
 * version after every optimizer step) is packed only where a step reuses it (an RNN's time steps).
 */
export function packedOperand(storage: Storage, bv: View, m: number): PackedB | undefined {
  if (m * bv.shape[0] * bv.shape[1] < MIN_MACS) return undefined;
  const be = backend();
  if (be.packMatmulB === undefined) return undefined;
  if (storage.shared) {
    entries.delete(storage); // packed before the array was handed out: drop it
    return undefined;
  }
  const e = entries.get(storage);
  if (e === undefined || e.backend !== be || e.version !== storage.version || !sameView(e, bv)) {
    entries.set(storage, noted(be, storage.version, bv));
    return undefined;
  }
  e.packed ??= be.packMatmulB(storage.array, bv, m);
  return e.packed ?? undefined;
}
