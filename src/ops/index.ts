// The op list: every tensor operation, primitive or composed. Tensor methods and the public API
// re-export from here.
export * from "./elementwise.js";
export * from "./reduce.js";
export * from "./movement.js";
export * from "./matmul.js";
export * from "./indexing.js";
export * from "./composite.js";
export { onesLikeOf, dimArg } from "./support.js";
