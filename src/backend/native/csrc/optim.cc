// Fused SGD and Adam/AdamW updates on contiguous float32 runs: the C++ twins of the loops in
// src/optim/fused.ts (the specification). Plain loops, one per option set (template flags, so no branch
// is left inside), compiled twice: for AVX2 (chosen at run time, as gemm.cc does) and for the baseline ISA.
// Large runs are split across the thread pool. Bit-identical to JavaScript's Math.fround of each step:
// float + − × ÷ and sqrt are correctly rounded, and FMA contraction is off in this file (binding.gyp turns
// it on for the GEMM kernels), so every product is rounded before it is added.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "optim.h"

#include <array>
#include <cmath>
#include <cstring>
#include <utility>

#include "common.h"
#include "gemm.h"

// Clang's -ffp-contract=fast ignores the pragma above, so under clang only x86 is safe (the instruction
// sets used here have no FMA); elsewhere the kernels decline and fused.ts's loops run.
#if defined(__clang__) && !(defined(__x86_64__) || defined(__i386__))
#define CR_OPTIM_EXACT 0
#else
#define CR_OPTIM_EXACT 1
#endif

#if defined(__x86_64__) || defined(__i386__)
#define CR_X86 1
#define CR_AVX2 __attribute__((target("avx2")))  // avx2 without fma: no fused multiply-add can appear
#else
#define CR_AVX2
#endif
#define CR_INLINE inline __attribute__((always_inline))

namespace cr {
namespace {

// SGD option bits: momentum buffer, first step (buffer = d), L2 decay, Nesterov.
constexpr int kBuf = 1, kFirst = 2, kDecay = 4, kNesterov = 8;

template <int F>
CR_INLINE void sgdLoop(float* __restrict p, const float* __restrict g, float* __restrict b, int64_t lo,
                       int64_t hi, const SgdConsts& k) {
  const float sign = k.sign, mom = k.momentum, keep = k.keep, lr = k.lr, wd = k.weightDecay;
  for (int64_t i = lo; i < hi; i++) {
    float d = g[i] * sign;
    if constexpr ((F & kDecay) != 0) d = d + p[i] * wd;
    if constexpr ((F & kBuf) != 0) {
      const float bi = (F & kFirst) != 0 ? d : b[i] * mom + d * keep;
      b[i] = bi;
      d = (F & kNesterov) != 0 ? d + bi * mom : bi;
    }
    p[i] = p[i] + d * lr;
  }
}

// Math.max(a, b): NaN if either is NaN, +0 for (+0, −0).
CR_INLINE float jsMax(float a, float b) {
  uint32_t ua, ub, ur;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  float r = a > b ? a : b;
  std::memcpy(&ur, &r, 4);
  ur = a == b ? (ua & ub) : ur;
  std::memcpy(&r, &ur, 4);
  return a != a ? a : r;
}

// Adam option bits: decoupled decay (AdamW's shrink), L2 decay, AMSGrad.
constexpr int kShrink = 1, kL2 = 2, kAms = 4;

template <int F>
CR_INLINE void adamLoop(float* __restrict p, const float* __restrict g, float* __restrict m,
                        float* __restrict v, float* __restrict x, int64_t lo, int64_t hi, const AdamConsts& k) {
  const float sign = k.sign, beta1 = k.beta1, keep1 = k.keep1, beta2 = k.beta2, keep2 = k.keep2;
  const float stepSize = k.stepSize, bc2Sqrt = k.bc2Sqrt, eps = k.eps, wdS = k.wdS, shrink = k.shrink;
  for (int64_t i = lo; i < hi; i++) {
    float gi = g[i] * sign;
    float pi = p[i];
    if constexpr ((F & kShrink) != 0) pi = pi * shrink;
    if constexpr ((F & kL2) != 0) gi = gi + pi * wdS;
    const float mi = m[i] * beta1 + gi * keep1;
    float vi = v[i] * beta2 + (gi * keep2) * gi;
    m[i] = mi;
    v[i] = vi;
    if constexpr ((F & kAms) != 0) {
      vi = jsMax(x[i], vi);
      x[i] = vi;
    }
    const float denom = std::sqrt(vi) / bc2Sqrt + eps;
    p[i] = pi + (mi * stepSize) / denom;
  }
}

using SgdFn = void (*)(float*, const float*, float*, int64_t, int64_t, const SgdConsts&);
using AdamFn = void (*)(float*, const float*, float*, float*, float*, int64_t, int64_t, const AdamConsts&);

template <int F>
void sgdGeneric(float* p, const float* g, float* b, int64_t lo, int64_t hi, const SgdConsts& k) {
  sgdLoop<F>(p, g, b, lo, hi, k);
}
template <int F>
void adamGeneric(float* p, const float* g, float* m, float* v, float* x, int64_t lo, int64_t hi,
                 const AdamConsts& k) {
  adamLoop<F>(p, g, m, v, x, lo, hi, k);
}

#ifdef CR_X86
template <int F>
CR_AVX2 void sgdAvx2(float* p, const float* g, float* b, int64_t lo, int64_t hi, const SgdConsts& k) {
  sgdLoop<F>(p, g, b, lo, hi, k);
}
template <int F>
CR_AVX2 void adamAvx2(float* p, const float* g, float* m, float* v, float* x, int64_t lo, int64_t hi,
                      const AdamConsts& k) {
  adamLoop<F>(p, g, m, v, x, lo, hi, k);
}
#endif

struct Tables {
  std::array<SgdFn, 16> sgd;
  std::array<AdamFn, 8> adam;
};

template <size_t... S, size_t... A>
constexpr Tables genericTables(std::index_sequence<S...>, std::index_sequence<A...>) {
  return {{{&sgdGeneric<S>...}}, {{&adamGeneric<A>...}}};
}
constexpr Tables kGeneric = genericTables(std::make_index_sequence<16>(), std::make_index_sequence<8>());
#ifdef CR_X86
template <size_t... S, size_t... A>
constexpr Tables avx2Tables(std::index_sequence<S...>, std::index_sequence<A...>) {
  return {{{&sgdAvx2<S>...}}, {{&adamAvx2<A>...}}};
}
constexpr Tables kAvx2 = avx2Tables(std::make_index_sequence<16>(), std::make_index_sequence<8>());
#endif

// AVX2 where the CPU has it, unless the GEMM kernels were set to "generic" (tests use that to run both).
const Tables& tables() {
#ifdef CR_X86
  static const bool avx2 = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
  if (avx2 && std::strcmp(gemmIsa(), "generic") != 0) return kAvx2;
#endif
  return kGeneric;
}

// Threads for a run of n elements touching `bytes` bytes each: one per 8 MB, none below 16 MB. On the
// 2-vCPU bench VM a second thread never beat one for W2's runs (≤ 401k elements, ≤ 11 MB, ~0.1–0.2 ms on
// one core, out of L3) and often lost a wake-up's worth (bench/overhead/optim-step.ts); only runs that
// stream from memory are split, on the chance of a second core's bandwidth.
int threadsForRun(int64_t n, int bytes) {
  const double mb = static_cast<double>(n) * bytes / (1 << 20);
  const int nt = numThreads(), want = static_cast<int>(mb / 8);
  return mb < 16 ? 1 : (want < nt ? want : nt);
}

// Runs body(lo, hi) over [0, n) on nt threads, in parts of whole 16-element (64-byte) blocks.
template <typename F>
void splitRun(int64_t n, int nt, F&& body) {
  if (nt <= 1) return body(0, n);
  const int64_t lines = (n + 15) / 16;
  parallel(nt, [&](int t, int parts) {
    int64_t lo, hi;
    split(lines, t, parts, lo, hi);
    lo *= 16;
    hi = hi * 16 < n ? hi * 16 : n;
    if (lo < hi) body(lo, hi);
  });
}

}  // namespace

bool sgdStep(float* p, const float* g, float* buf, int64_t n, const SgdConsts& k) {
  if (!CR_OPTIM_EXACT) return false;
  int f = 0;
  if (buf != nullptr) f = kBuf | (k.first ? kFirst : 0) | (k.nesterov ? kNesterov : 0);
  if (k.decays) f |= kDecay;
  const SgdFn fn = tables().sgd[f];
  splitRun(n, threadsForRun(n, buf != nullptr ? 20 : 12),
           [&](int64_t lo, int64_t hi) { fn(p, g, buf, lo, hi, k); });
  return true;
}

bool adamStep(float* p, const float* g, float* m, float* v, float* vMax, int64_t n, const AdamConsts& k) {
  if (!CR_OPTIM_EXACT) return false;
  const int f = (k.shrinks ? kShrink : 0) | (k.l2 ? kL2 : 0) | (vMax != nullptr ? kAms : 0);
  const AdamFn fn = tables().adam[f];
  splitRun(n, threadsForRun(n, vMax != nullptr ? 36 : 28),
           [&](int64_t lo, int64_t hi) { fn(p, g, m, v, vMax, lo, hi, k); });
  return true;
}

}  // namespace cr
