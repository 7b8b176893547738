// The native matrix product: C = A·B on strided operands (batched), with per-ISA kernels chosen at run
// time. gemm-kernel.inc holds the kernels (compiled once per instruction set), gemm.cc the dispatch,
// blocking driver, threading and batching.
#pragma once
#include <cstdint>

#include "common.h"

namespace cr {

/**
 * One product C[m,n] = A[m,k]·B[k,n]: A and B at any strides, C row-major with leading dimension ldc;
 * with a bias (n contiguous values, or null), each element is stored as round(A·B) + bias[j], then with
 * relu set as max(0, ·) (NaN kept).
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
  bool relu;
  // B packed ahead of time (packMatmulB's panels, null when absent): bpPanels panels of bpNR columns per
  // K block; this product's column 0 is column bpCol of the packed matrix (a part of a split product).
  const T* bp = nullptr;
  int64_t bpPanels = 0, bpCol = 0;
  int bpNR = 0;
};

/** What the store step makes of a finished element C(·, j): + bias[j], then max(0, ·), as configured. */
template <typename T>
inline T epilogue(T s, const Gemm<T>& g, int64_t j) {
  if (g.bias) s += g.bias[j];
  return g.relu && s <= 0 ? T(0) : s;
}

/**
 * Whether the kernels read A's rows in place instead of packing them: rows with unit column stride, unless
 * they lie a multiple of 4 KiB apart and so share L1 sets (n = 1024, 2048 squares ran 3-5% slower).
 */
template <typename T>
inline bool readsAInPlace(const Gemm<T>& g) {
  return g.csa == 1 && (g.rsa * sizeof(T)) % 4096 != 0;
}

/** A batched product as the backend's matmul sees it: [...batch, m, k] · [...batch, k, n]. */
struct MatmulDesc {
  int nb;  // batch dims
  int64_t batch[kMaxDims];
  int64_t sab[kMaxDims], sbb[kMaxDims];  // batch strides of A and B (0 where broadcast)
  int64_t m, n, k;
  int64_t rsa, csa, rsb, csb;
  int64_t offa, offb;
};

/** C = A·B (+ bias, ReLU), reading B from `packed` (packMatmulB's output for this B) where that is valid. */
void matmul(DType dt, const void* a, const void* b, void* c, const MatmulDesc& d, const void* bias, bool relu,
            const void* packed = nullptr);

/**
 * B[k,n] (strides rsb, csb) packed once for products that read it many times (a weight at inference), in
 * the panels of the kernel set in use: bytes to reserve at a 64-byte aligned address, and the packing.
 * A 64-byte header records the kernel set and the shape, so matmul ignores a packing it cannot use.
 */
int64_t packedBytes(DType dt, int64_t k, int64_t n);
void packMatmulB(DType dt, const void* b, int64_t k, int64_t n, int64_t rsb, int64_t csb, void* dst);

/** The kernel set in use: "avx512", "avx2" or "generic". */
const char* gemmIsa();
/** Picks a kernel set by name if this CPU can run it ("auto" = the best one); false if it cannot. */
bool setGemmIsa(const char* name);

// Per-thread packing buffers, 64-byte aligned, grown on demand (gemm.cc).
void* workspaceA(size_t bytes);
void* workspaceB(size_t bytes);

}  // namespace cr
