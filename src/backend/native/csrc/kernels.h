// Entry points of the native elementwise, reduction and index kernels (elementwise.cc, reduce.cc).
// Operands arrive as storage pointers plus views over one iteration shape; outputs are contiguous
// unless a view says otherwise. Op codes follow the order of the TypeScript lists in backend.ts.
#pragma once
#include <cstdint>

#include "common.h"

namespace cr {

/** Up to four operand views over one iteration shape. */
struct Views {
  int nd;
  const int64_t* shape;
  const int64_t* strides[4];
  int64_t offset[4];
};

// UNARY_OPS order.
enum UnaryOp { kNeg, kExp, kLog, kLog1p, kExpm1, kSqrt, kAbs, kSign, kTanh, kSigmoid, kErf, kSin, kCos, kRelu };
// BINARY_OPS then COMPARE_OPS order.
enum BinaryOp { kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kReluGrad, kTanhGrad, kSigmoidGrad, kEq, kNe, kLt, kLe, kGt, kGe };
enum ReduceOp { kSum, kMax, kMin };

/** v: x (operand 0), out contiguous. Float types only; out has x's type. */
void unary(int op, DType dt, const void* x, void* out, const Views& v);
/** v: a, b (operands 0, 1), out contiguous; comparisons write uint8. Float types only. */
void binary(int op, DType dt, const void* a, const void* b, void* out, const Views& v);
/** v: c, a, b; any element type for a, b and out. */
void where(DType dt, const uint8_t* c, const void* a, const void* b, void* out, const Views& v);
/** v: x, out (operand 1 may be any view); converts as JavaScript's typed-array stores do. */
void copy(DType from, DType to, const void* x, void* out, const Views& v);

/** Reduces the dims flagged in `reduced` (one flag per dim of v.shape); out holds the kept dims. */
void reduce(int op, DType dt, const void* x, void* out, const Views& v, const uint8_t* reduced);
/** Index of the first extremum along `axis` (NaN counts as the extremum). */
void argReduce(bool isMax, DType dt, const void* x, int32_t* out, const Views& v, int axis);
void logSoftmax(DType dt, const void* x, void* out, const Views& v, int axis);
/**
 * Gather: v iterates idx's shape over idx (operand 0) and x with its `dim` stride zeroed (operand 1);
 * out[k] = x[pos + idx·sd]. False if an index falls outside [0, size).
 */
bool gather(DType dt, const void* x, const int32_t* idx, void* out, const Views& v, int64_t sd, int64_t size);
/** Scatter-add: v iterates idx's shape over idx, src and out (its `dim` stride zeroed). */
bool scatterAdd(DType dt, void* out, const int32_t* idx, const void* src, const Views& v, int64_t sd,
                int64_t size);

}  // namespace cr
