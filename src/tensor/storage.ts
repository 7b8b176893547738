// A tensor's storage: a garbage-collected typed array shared by all views of it, plus the version
// counter that in-place writes bump so that autograd can refuse to use a tensor changed after saving.
import type { TypedArray } from "../backend/backend.js";

export class Storage {
  version = 0;
  /** Scratch of a backward sweep: its stamp, and how many of its gradients hold this storage. */
  mark = 0;
  holders = 0;
  constructor(readonly data: TypedArray) {}
}
