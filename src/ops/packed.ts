// Weights packed once for the backend's matrix product (Backend.packMatmulB). At inference a layer
// multiplies by the same unchanged weight call after call; packing it into the GEMM's panels each time
// cost ~4% of an MLP's forward pass (onnxruntime packs once, when a session is created). Each storage's
// entry records the version and view it was packed at: any in-place write bumps the version, and the
// packing is made again. A storage whose array code outside the library can reach (Storage.shared) is
// never packed, since writes there bump nothing.
import { backend, type Backend, type PackedB, type View } from "../backend/backend.js";
import type { Storage } from "../tensor/storage.js";

interface Entry {
  backend: Backend;
  version: number;
  view: View;
  packed: PackedB | null;
}
const entries = new WeakMap<Storage, Entry>();

/** Products below this many multiply-adds spend their time elsewhere: not worth a lookup. */
const MIN_MACS = 1 << 15;

const sameView = (a: View, b: View): boolean =>
  a.offset === b.offset &&
  a.shape[0] === b.shape[0] &&
  a.shape[1] === b.shape[1] &&
  a.strides[0] === b.strides[0] &&
  a.strides[1] === b.strides[1];

/**
 * The packing of the 2-D right operand `bv` over `storage` for a product with m rows, or undefined. The
 * first product at a version only takes note and the second packs, so a weight in training (a new
 * version after every optimizer step) is packed only where a step reuses it (an RNN's time steps).
 */
export function packedOperand(storage: Storage, bv: View, m: number): PackedB | undefined {
  const be = backend();
  if (be.packMatmulB === undefined || m * bv.shape[0] * bv.shape[1] < MIN_MACS) return undefined;
  if (storage.shared) {
    entries.delete(storage); // packed before the array was handed out: drop it
    return undefined;
  }
  const e = entries.get(storage);
  if (e === undefined) {
    entries.set(storage, { backend: be, version: storage.version, view: bv, packed: null });
    return undefined;
  }
  if (e.backend !== be || e.version !== storage.version || !sameView(e.view, bv)) {
    e.backend = be;
    e.version = storage.version;
    e.view = bv;
    e.packed = null;
    return undefined;
  }
  e.packed ??= be.packMatmulB(storage.array, bv, m);
  return e.packed ?? undefined;
}
