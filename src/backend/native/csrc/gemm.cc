// Matrix product driver: compiles gemm-kernel.inc for AVX-512, AVX2+FMA and a portable width (target
// attributes, so the file builds with no -march flag on any x86-64), picks the best set the CPU supports
// at run time, routes skinny products to matrix-vector kernels, splits large ones across the thread pool
// and walks the batch dims.
#include "gemm.h"

#include <cstdlib>
#include <cstring>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace cr {

template <typename T>
struct TypeKernels {
  void (*gemm)(const Gemm<T>&);
  void (*rows)(int64_t k, int64_t n, const T* x, int64_t sx, const T* b, int64_t rsb, T* y);
  void (*dots)(int64_t k, int64_t n, const T* x, const T* r, int64_t rs, T* y, int64_t sy);
  int (*pack)(int64_t k, int64_t n, const T* b, int64_t rsb, int64_t csb, T* dst, int64_t* size);
  int mr, nr;
};
struct IsaKernels {
  const char* name;
  TypeKernels<float> f32;
  TypeKernels<double> f64;
};

namespace {
struct Buffer {
  void* p = nullptr;
  size_t size = 0;
  void* get(size_t bytes) {
    if (bytes > size) {
      std::free(p);
      size = (bytes + 63) / 64 * 64;
      p = std::aligned_alloc(64, size);
      if (p == nullptr) std::abort();
    }
    return p;
  }
  ~Buffer() { std::free(p); }
};
thread_local Buffer bufA, bufB;
}  // namespace

void* workspaceA(size_t bytes) { return bufA.get(bytes); }
void* workspaceB(size_t bytes) { return bufB.get(bytes); }

#if defined(__clang__)
#define CR_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define CR_UNROLL _Pragma("GCC unroll 32")
#else
#define CR_UNROLL
#endif

#if defined(__x86_64__) || defined(__i386__)
#define CR_X86 1

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#endif
namespace isa_avx512 {
#define CR_ISA_NAME "avx512"
#define CR_VB 64
#define CR_MR 8
#define CR_KC32 800
#define CR_MC32 96
#define CR_KC64 512
#define CR_MC64 48
#include "gemm-kernel.inc"
#undef CR_ISA_NAME
#undef CR_VB
#undef CR_MR
#undef CR_KC32
#undef CR_MC32
#undef CR_KC64
#undef CR_MC64
}  // namespace isa_avx512
#if defined(__clang__)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace isa_avx2 {
#define CR_ISA_NAME "avx2"
#define CR_VB 32
#define CR_MR 6
#define CR_KC32 384
#define CR_MC32 144
#define CR_KC64 256
#define CR_MC64 72
#include "gemm-kernel.inc"
#undef CR_ISA_NAME
#undef CR_VB
#undef CR_MR
#undef CR_KC32
#undef CR_MC32
#undef CR_KC64
#undef CR_MC64
}  // namespace isa_avx2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif  // x86

namespace isa_generic {
#define CR_ISA_NAME "generic"
#define CR_VB 16
#define CR_MR 6
#define CR_KC32 256
#define CR_MC32 96
#define CR_KC64 256
#define CR_MC64 48
#include "gemm-kernel.inc"
#undef CR_ISA_NAME
#undef CR_VB
#undef CR_MR
#undef CR_KC32
#undef CR_MC32
#undef CR_KC64
#undef CR_MC64
}  // namespace isa_generic

namespace {

bool supported(const IsaKernels* k) {
#ifdef CR_X86
  __builtin_cpu_init();
  if (k == &isa_avx512::kernels) return __builtin_cpu_supports("avx512f");
  if (k == &isa_avx2::kernels) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return k == &isa_generic::kernels;
}

const IsaKernels* best() {
#ifdef CR_X86
  if (supported(&isa_avx512::kernels)) return &isa_avx512::kernels;
  if (supported(&isa_avx2::kernels)) return &isa_avx2::kernels;
#endif
  return &isa_generic::kernels;
}

const IsaKernels* active = best();

template <typename T>
const TypeKernels<T>& kernelsFor();
template <>
const TypeKernels<float>& kernelsFor<float>() {
  return active->f32;
}
template <>
const TypeKernels<double>& kernelsFor<double>() {
  return active->f64;
}

int64_t roundUp(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// Matrix-vector shapes: one or two rows of A, or one column of B. False if the layout does not fit.
template <typename T>
bool skinny(const TypeKernels<T>& kk, const Gemm<T>& g, int nt, bool wake) {
  if (g.m <= 2 && (g.csb == 1 || (g.rsb == 1 && g.csa == 1))) {
    const int64_t chunk = roundUp((g.n + nt - 1) / nt, 64);
    parallel(nt, [&](int t, int) {
      const int64_t j0 = t * chunk, j1 = j0 + chunk < g.n ? j0 + chunk : g.n;
      for (int64_t i = 0; i < g.m && j0 < j1; i++) {
        const T* x = g.a + i * g.rsa;
        T* y = g.c + i * g.ldc + j0;
        if (g.csb == 1) kk.rows(g.k, j1 - j0, x, g.csa, g.b + j0, g.rsb, y);
        else kk.dots(g.k, j1 - j0, x, g.b + j0 * g.csb, g.csb, y, 1);
        if (g.bias || g.relu)
          for (int64_t j = j0; j < j1; j++) y[j - j0] = epilogue(y[j - j0], g, j);
      }
    }, wake);
    return true;
  }
  if (g.n == 1 && g.csa == 1 && g.rsb == 1) {
    const int64_t chunk = roundUp((g.m + nt - 1) / nt, 16);
    parallel(nt, [&](int t, int) {
      const int64_t i0 = t * chunk, i1 = i0 + chunk < g.m ? i0 + chunk : g.m;
      if (i0 < i1) kk.dots(g.k, i1 - i0, g.b, g.a + i0 * g.rsa, g.rsa, g.c + i0 * g.ldc, g.ldc);
      for (int64_t i = i0; (g.bias || g.relu) && i < i1; i++) g.c[i * g.ldc] = epilogue(g.c[i * g.ldc], g, 0);
    }, wake);
    return true;
  }
  return false;
}

// One product, split for nt threads along its longer side in whole micro-tiles (with wake false, only
// workers that are awake take part).
template <typename T>
void gemmOne(const Gemm<T>& g, int nt, bool wake = true) {
  const TypeKernels<T>& kk = kernelsFor<T>();
  if (skinny(kk, g, nt, wake)) return;
  if (nt <= 1) {
    kk.gemm(g);
    return;
  }
  const bool alongN = g.n >= g.m;
  const int64_t len = alongN ? g.n : g.m;
  // Two parts per thread where that packs nothing twice (along N, A read in place): a thread that the OS
  // runs late on a busy machine then leaves more of the work to the others (W4 at 2 threads: 2-7%).
  const int want = alongN && readsAInPlace(g) ? 2 * nt : nt;
  const int64_t chunk = roundUp((len + want - 1) / want, alongN ? kk.nr : kk.mr);
  parallel(static_cast<int>((len + chunk - 1) / chunk), [&](int t, int) {
    const int64_t lo = t * chunk, hi = lo + chunk < len ? lo + chunk : len;
    if (lo >= hi) return;
    Gemm<T> part = g;
    if (alongN) {
      part.n = hi - lo;
      part.b += lo * g.csb;
      part.bpCol += lo;
      part.c += lo;
      if (g.bias) part.bias += lo;
    } else {
      part.m = hi - lo;
      part.a += lo * g.rsa;
      part.c += lo * g.ldc;
    }
    kk.gemm(part);
  }, wake);
}

// Nanoseconds one m×n×k product takes on one thread: ~40 multiply-adds each (4 bytes read for gemv).
template <typename T>
double productNs(int64_t m, int64_t n, int64_t k) {
  const double macs = static_cast<double>(m) * n * k;
  return m <= 2 || n == 1 ? macs * sizeof(T) / 16.0 : macs / 40.0;
}
template <typename T>
int threadsForProduct(int64_t m, int64_t n, int64_t k) {
  return threadsFor(productNs<T>(m, n, k));
}

// Products of 10-50 µs are too short to wake a sleeping worker but split in two when one is still
// polling after the previous kernel (the last layer of an MLP after a threaded one: 25 → 14 µs). Not
// matrix-vector shapes, whose batch-1 latency is tuned as it is.
constexpr double kAwakeSplitNs = 1e4;

// What packMatmulB writes before the panels (64 bytes, so the panels stay aligned).
struct PackedHeader {
  uint64_t magic;
  const IsaKernels* isa;
  int64_t k, n, panels, nr, elementSize, unused;
};
constexpr uint64_t kPackedMagic = 0x4250616e69616863;  // the bytes "chainaPB"
static_assert(sizeof(PackedHeader) == 64, "the header keeps the panels 64-byte aligned");

// The panels of `packed` if they were packed for this B's shape by the kernel set in use, else null.
template <typename T>
const T* packedPanels(const void* packed, const MatmulDesc& d, Gemm<T>& g) {
  const PackedHeader* h = static_cast<const PackedHeader*>(packed);
  if (h == nullptr || h->magic != kPackedMagic || h->isa != active || h->k != d.k || h->n != d.n ||
      h->elementSize != static_cast<int64_t>(sizeof(T)))
    return nullptr;
  g.bpPanels = h->panels;
  g.bpNR = static_cast<int>(h->nr);
  return reinterpret_cast<const T*>(h + 1);
}

template <typename T>
void matmulTyped(const T* a, const T* b, T* c, const MatmulDesc& d, const T* bias, bool relu, const void* packed) {
  const int64_t* st[2] = {d.sab, d.sbb};
  const int64_t off[2] = {d.offa, d.offb};
  Walk<2> w(d.nb, d.batch, st, off);
  const int64_t items = w.total();
  const int64_t mn = d.m * d.n;
  Gemm<T> g{d.m, d.n, d.k, a, d.rsa, d.csa, b, d.rsb, d.csb, c, d.n, bias, relu};
  if (items == 1) g.bp = packedPanels<T>(packed, d, g);
  int per = threadsForProduct<T>(d.m, d.n, d.k);
  const int all = items > 1 && per < numThreads() ? threadsForProduct<T>(d.m * items, d.n, d.k) : 1;
  if (all > per) {
    // Many small products: whole products per thread.
    parallel(all, [&](int t, int nt) {
      int64_t e0, e1;
      split(items, t, nt, e0, e1);
      Walk<2> wt = w;
      int64_t e = e0;
      wt.range(e0, e1, [&](const int64_t* pos, int64_t len) {
        for (int64_t q = 0; q < len; q++, e++) {
          Gemm<T> gi = g;
          gi.a = a + pos[0] + q * wt.inner[0];
          gi.b = b + pos[1] + q * wt.inner[1];
          gi.c = c + e * mn;
          gemmOne(gi, 1);
        }
      });
    });
    return;
  }
  const bool wake = per > 1;
  if (items == 1 && per == 1 && d.m > 2 && d.n > 1 && productNs<T>(d.m, d.n, d.k) >= kAwakeSplitNs)
    per = numThreads() > 1 ? 2 : 1;
  int64_t e = 0;
  w.range(0, items, [&](const int64_t* pos, int64_t len) {
    for (int64_t q = 0; q < len; q++, e++) {
      Gemm<T> gi = g;
      gi.a = a + pos[0] + q * w.inner[0];
      gi.b = b + pos[1] + q * w.inner[1];
      gi.c = c + e * mn;
      gemmOne(gi, per, wake);
    }
  });
}

}  // namespace

void matmul(DType dt, const void* a, const void* b, void* c, const MatmulDesc& d, const void* bias, bool relu,
            const void* packed) {
  if (dt == DType::F32)
    matmulTyped(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(c), d,
                static_cast<const float*>(bias), relu, packed);
  else
    matmulTyped(static_cast<const double*>(a), static_cast<const double*>(b), static_cast<double*>(c), d,
                static_cast<const double*>(bias), relu, packed);
}

namespace {
template <typename T>
int64_t packedBytesTyped(int64_t k, int64_t n) {
  int64_t size;
  kernelsFor<T>().pack(k, n, nullptr, 0, 0, nullptr, &size);
  return static_cast<int64_t>(sizeof(PackedHeader)) + size * static_cast<int64_t>(sizeof(T));
}
template <typename T>
void packTyped(const T* b, int64_t k, int64_t n, int64_t rsb, int64_t csb, void* dst) {
  PackedHeader* h = static_cast<PackedHeader*>(dst);
  int64_t size;
  const int r = kernelsFor<T>().pack(k, n, b, rsb, csb, reinterpret_cast<T*>(h + 1), &size);
  *h = PackedHeader{kPackedMagic, active, k, n, (n + r - 1) / r, r, static_cast<int64_t>(sizeof(T)), 0};
}
}  // namespace

int64_t packedBytes(DType dt, int64_t k, int64_t n) {
  return dt == DType::F32 ? packedBytesTyped<float>(k, n) : packedBytesTyped<double>(k, n);
}

void packMatmulB(DType dt, const void* b, int64_t k, int64_t n, int64_t rsb, int64_t csb, void* dst) {
  if (dt == DType::F32) packTyped(static_cast<const float*>(b), k, n, rsb, csb, dst);
  else packTyped(static_cast<const double*>(b), k, n, rsb, csb, dst);
}

const char* gemmIsa() { return active->name; }

bool setGemmIsa(const char* name) {
  const IsaKernels* all[] = {
#ifdef CR_X86
      &isa_avx512::kernels,
      &isa_avx2::kernels,
#endif
      &isa_generic::kernels,
  };
  if (std::strcmp(name, "auto") == 0) {
    active = best();
    return true;
  }
  for (const IsaKernels* k : all)
    if (std::strcmp(k->name, name) == 0 && supported(k)) {
      active = k;
      return true;
    }
  return false;
}

}  // namespace cr
