// A tensor's storage: a garbage-collected typed array shared by all views of it, plus the version
// counter that in-place writes bump so that autograd can refuse to use a tensor changed after saving.
import type { TypedArray } from "../backend/backend.js";

export class Storage {
  version = 0;
  /** Scratch of a backward sweep: its stamp, and how many of its gradients hold this storage. */
  mark = 0;
  holders = 0;
  constructor(
    /** The array, for library code: reading it shares nothing. Library code that writes into an existing
     * storage bumps `version`. */
    readonly array: TypedArray,
    /** Whether code outside the library may hold the array (it came from the caller, or `data` handed it
     * out). Writes there bump no version, so nothing derived from the elements (a packed weight) is kept. */
    public shared = false,
  ) {}
  /** The array itself, shared with the caller from now on (see `shared`). */
  get data(): TypedArray {
    this.shared = true;
    return this.array;
  }
}
