// The native matrix product: C = A·B on strided operands (batched), with per-ISA kernels chosen at run
// time. gemm-kernel.inc holds the kernels (compiled once per instruction set), gemm.cc the dispatch,
// blocking driver, threading and batching.
#pragma once
#include <cstdint>

#include "common.h"

namespace cr {

/**
 * One product C[m,n] = A[m,k]·B[k,n]: A and B at any strides, C row-major with leading dimension ldc;
 * with a bias (n contiguous values, or null), each element is stored as round(A·B) + bias[j].
 */
template <typename T>
struct Gemm {
  int64_t m, n, k;
  const T* a;
  int64_t rsa, csa;
  const T* b;
  int64_t rsb, csb;
  T* c;
  int64_t ldc;
  const T* bias;
};

/** A batched product as the backend's matmul sees it: [...batch, m, k] · [...batch, k, n]. */
struct MatmulDesc {
  int nb;  // batch dims
  int64_t batch[kMaxDims];
  int64_t sab[kMaxDims], sbb[kMaxDims];  // batch strides of A and B (0 where broadcast)
  int64_t m, n, k;
  int64_t rsa, csa, rsb, csb;
  int64_t offa, offb;
};

void matmul(DType dt, const void* a, const void* b, void* c, const MatmulDesc& d, const void* bias);

/** The kernel set in use: "avx512", "avx2" or "generic". */
const char* gemmIsa();
/** Picks a kernel set by name if this CPU can run it ("auto" = the best one); false if it cannot. */
bool setGemmIsa(const char* name);

// Per-thread packing buffers, 64-byte aligned, grown on demand (gemm.cc).
void* workspaceA(size_t bytes);
void* workspaceB(size_t bytes);

}  // namespace cr
