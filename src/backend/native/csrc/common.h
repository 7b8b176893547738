// Shared pieces of the native backend: element types, JavaScript's number conversions, the strided row
// walker every kernel uses (the C++ twin of src/backend/cpu/walker.ts) and the thread pool's interface.
// Nothing here knows about N-API; addon.cc is the only file that does.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace cr {

enum class DType { F32, F64, I32, U8 };

constexpr int kMaxDims = 16;

// JavaScript's ToInt32 / ToUint8 (what storing a number into an Int32Array / Uint8Array does).
inline int32_t toInt32(double d) {
  if (!std::isfinite(d)) return 0;
  double t = std::fmod(std::trunc(d), 4294967296.0);
  if (t < 0) t += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(t));
}
inline uint8_t toUint8(double d) {
  if (!std::isfinite(d)) return 0;
  double t = std::fmod(std::trunc(d), 256.0);
  if (t < 0) t += 256.0;
  return static_cast<uint8_t>(t);
}

// Storing a number `v` of type S into an array of type D, as `out[k] = x[i]` does in JavaScript.
template <typename D, typename S>
inline D jsStore(S v) {
  if constexpr (std::is_same_v<D, S>) return v;
  else if constexpr (std::is_same_v<D, int32_t>) return toInt32(static_cast<double>(v));
  else if constexpr (std::is_same_v<D, uint8_t>) return toUint8(static_cast<double>(v));
  else return static_cast<D>(v);  // to float/double: rounding to nearest, as JavaScript does
}

/**
 * Visits an N-d index space row by row with one storage offset per operand. Adjacent dims that are
 * contiguous for every operand are merged and size-1 dims dropped, so that a contiguous tensor is one
 * long row. Kernels run a tight loop over each row; `seek` lets threads start anywhere.
 */
template <int K>
struct Walk {
  int nd = 0;  // outer dims, the row dim excluded
  int64_t shape[kMaxDims];
  int64_t strides[K][kMaxDims];
  int64_t counter[kMaxDims];
  int64_t n = 1;     // elements per row
  int64_t rows = 0;  // number of rows
  int64_t inner[K];  // per operand: stride inside a row
  int64_t base[K];   // per operand: offset of element 0
  int64_t pos[K];    // per operand: offset where the current row starts

  Walk(int ndim, const int64_t* shp, const int64_t* const* st, const int64_t* off) {
    int64_t dims[kMaxDims];
    int64_t s[K][kMaxDims];
    int m = 0;
    int64_t total = 1;
    for (int d = 0; d < ndim; d++) {
      total *= shp[d];
      if (shp[d] == 1) continue;
      bool merge = m > 0;
      for (int k = 0; k < K && merge; k++) merge = s[k][m - 1] == st[k][d] * shp[d];
      if (merge) {
        dims[m - 1] *= shp[d];
        for (int k = 0; k < K; k++) s[k][m - 1] = st[k][d];
      } else {
        dims[m] = shp[d];
        for (int k = 0; k < K; k++) s[k][m] = st[k][d];
        m++;
      }
    }
    n = m > 0 ? dims[m - 1] : 1;
    rows = total == 0 ? 0 : total / n;
    nd = m > 0 ? m - 1 : 0;
    for (int d = 0; d < nd; d++) shape[d] = dims[d];
    for (int k = 0; k < K; k++) {
      inner[k] = m > 0 ? s[k][m - 1] : 0;
      for (int d = 0; d < nd; d++) strides[k][d] = s[k][d];
      base[k] = off[k];
      pos[k] = off[k];
    }
    for (int d = 0; d < nd; d++) counter[d] = 0;
  }

  /** Positions `pos` at the start of row `row` (< rows). */
  void seek(int64_t row) {
    for (int k = 0; k < K; k++) pos[k] = base[k];
    for (int d = nd - 1; d >= 0; d--) {
      counter[d] = row % shape[d];
      row /= shape[d];
      for (int k = 0; k < K; k++) pos[k] += counter[d] * strides[k][d];
    }
  }

  /** Advances `pos` to the next row. */
  void next() {
    for (int d = nd - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) {
        for (int k = 0; k < K; k++) pos[k] += strides[k][d];
        return;
      }
      counter[d] = 0;
      for (int k = 0; k < K; k++) pos[k] -= strides[k][d] * (shape[d] - 1);
    }
  }

  int64_t total() const { return rows * n; }

  /** Calls fn(pos, len) for the rows (or parts of rows) that hold flat elements [e0, e1). */
  template <typename F>
  void range(int64_t e0, int64_t e1, F&& fn) {
    if (e0 >= e1) return;
    int64_t col = e0 % n;
    seek(e0 / n);
    while (e0 < e1) {
      const int64_t len = (n - col < e1 - e0) ? n - col : e1 - e0;
      int64_t p[K];
      for (int k = 0; k < K; k++) p[k] = pos[k] + col * inner[k];
      fn(static_cast<const int64_t*>(p), len);
      e0 += len;
      col = 0;
      next();
    }
  }
};

/** Contiguous row-major strides of `shape`. */
inline void contiguousStrides(int nd, const int64_t* shape, int64_t* out) {
  int64_t acc = 1;
  for (int d = nd - 1; d >= 0; d--) {
    out[d] = acc;
    acc *= shape[d];
  }
}

// ---- thread pool (pool.cc) ----
using TaskFn = void (*)(void* ctx, int t, int nt);
int numThreads();
void setNumThreads(int n);
/**
 * Runs fn(ctx, t, nt) for t = 0..nt-1 on up to numThreads() threads (the caller one of them; parts are
 * claimed in order by whichever thread is free); returns when all are done. With `wake` false, workers
 * that have gone to sleep are left asleep (a small job is over before they would arrive).
 */
void runParallel(int nt, TaskFn fn, void* ctx, bool wake = true);

template <typename F>
void parallel(int nt, F&& f, bool wake = true) {
  if (nt <= 1) {
    f(0, 1);
    return;
  }
  using G = std::remove_reference_t<F>;
  runParallel(
      nt, [](void* c, int t, int n) { (*static_cast<G*>(c))(t, n); }, &f, wake);
}

/** Splits [0, total) into nt nearly equal parts; part t is [lo, hi). */
inline void split(int64_t total, int t, int nt, int64_t& lo, int64_t& hi) {
  lo = total * t / nt;
  hi = total * (t + 1) / nt;
}

/** Threads worth using for `work` units of about one nanosecond each (none below ~50 µs of work). */
inline int threadsFor(double work) {
  const int nt = numThreads();
  if (nt <= 1 || work < 5e4) return 1;
  const int want = static_cast<int>(work / 2.5e4);
  return want < nt ? (want < 1 ? 1 : want) : nt;
}

/**
 * Parts to split `units` independent items (about `work` ns in all) into for the pool: one below
 * kMinParallelNs of work; else up to four per thread, none under kMinPartNs, so that a worker that
 * starts late still takes a share. Kernels give each output to exactly one part, so results never
 * depend on the split.
 */
inline int partsFor(double work, int64_t units) {
  constexpr double kMinParallelNs = 1.5e4, kMinPartNs = 4e3;
  const int nt = numThreads();
  if (nt <= 1 || work < kMinParallelNs || units < 2) return 1;
  double parts = work / kMinPartNs;
  if (parts > 4.0 * nt) parts = 4.0 * nt;
  if (parts > static_cast<double>(units)) parts = static_cast<double>(units);
  return parts < 2 ? 2 : static_cast<int>(parts);
}

/**
 * Runs f(t, parts) for the parts partsFor(work, units) picks. Jobs under kWakeNs only use workers that
 * are awake (still polling after a recent job): waking a sleeping one takes longer than such a job.
 */
template <typename F>
void parallelFor(double work, int64_t units, F&& f) {
  constexpr double kWakeNs = 2e5;
  parallel(partsFor(work, units), f, work >= kWakeNs);
}

}  // namespace cr
