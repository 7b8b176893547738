// The cpu backend: plain TypeScript kernels, the executable specification every other backend must match.
import type { Backend } from "../backend.js";
import { binary, copy, unary, where } from "./elementwise.js";
import { gather, scatterAdd } from "./indexing.js";
import { matmul } from "./matmul.js";
import { argReduce, logSoftmax, reduce } from "./reduce.js";

export const cpuBackend: Backend = {
  name: "cpu",
  unary,
  binary,
  where,
  reduce,
  argReduce,
  logSoftmax,
  matmul,
  copy,
  gather,
  scatterAdd,
};
