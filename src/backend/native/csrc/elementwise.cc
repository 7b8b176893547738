// Native elementwise kernels: unary math, binary arithmetic and comparisons over broadcast views, where,
// and strided copy with JavaScript's conversions. Each matches src/backend/cpu/elementwise.ts: float32
// math that JavaScript does in double is done in double and rounded (+ - × ÷ √ in float are the same
// numbers), and Math.pow/max/min keep their JavaScript answers for NaN, ±1^∞ and signed zeros.
// No FMA contraction here (binding.gyp allows it for the GEMM kernels): tanhGrad's g·(1 − y·y) must round
// y·y before subtracting, as the separate ops do. On x86 this file's instruction sets have no FMA anyway.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <cmath>
#include <cstring>
#include <type_traits>

#include "kernels.h"

namespace cr {
namespace {

constexpr double kTwoOverSqrtPi = 1.1283791670955126;

// erf(x) as src/backend/cpu/math.ts computes it: a positive-term series below |x| = 3, the erfc
// continued fraction above.
double erfJs(double x) {
  if (x != x) return x;
  const double ax = std::fabs(x);
  double r;
  if (ax < 3) {
    const double x2 = ax * ax;
    double term = ax, sum = ax;
    for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    r = kTwoOverSqrtPi * std::exp(-x2) * sum;
  } else {
    double f = ax;
    for (int k = 60; k >= 1; k--) f = ax + k / 2.0 / f;
    r = 1 - std::exp(-ax * ax) / std::sqrt(M_PI) / f;
  }
  return x < 0 ? -r : r;
}

double sigmoidJs(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}

double powJs(double a, double b) {
  if (b != b) return b;                                           // 1 ** NaN is NaN in JavaScript
  if ((a == 1 || a == -1) && std::isinf(b)) return std::nan("");  // so is (±1) ** ±∞
  return std::pow(a, b);
}

// Math.max / Math.min: NaN wins, and +0 > -0.
template <typename T>
T maxJs(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
template <typename T>
T minJs(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

template <typename T>
T signJs(T v) {
  return v > 0 ? T(1) : v < 0 ? T(-1) : v;
}

// Splits the elements of a walk over threads; fn(pos, len) gets row pieces. `cost` ≈ ns per element.
template <int K, typename F>
void forRows(Walk<K>& w, double cost, F&& fn) {
  parallelFor(static_cast<double>(w.total()) * cost, w.total(), [&](int t, int n) {
    int64_t e0, e1;
    split(w.total(), t, n, e0, e1);
    Walk<K> wt = w;
    wt.range(e0, e1, fn);
  });
}

template <typename T, typename F>
void unaryLoop(const T* x, T* o, const Views& v, double cost, F f) {
  const int64_t* st[2] = {v.strides[0], v.strides[1]};
  Walk<2> w(v.nd, v.shape, st, v.offset);
  const int64_t s = w.inner[0];
  forRows(w, cost, [&](const int64_t* p, int64_t n) {
    const T* a = x + p[0];
    T* b = o + p[1];
    if (s == 1)
      for (int64_t e = 0; e < n; e++) b[e] = f(a[e]);
    else
      for (int64_t e = 0; e < n; e++) b[e] = f(a[e * s]);
  });
}

template <typename T>
void unaryTyped(int op, const T* x, T* o, const Views& v) {
  // Transcendentals run in double, as JavaScript's Math does, then round to T.
  auto d = [&](auto f, double cost) {
    unaryLoop(x, o, v, cost, [f](T a) { return static_cast<T>(f(static_cast<double>(a))); });
  };
  switch (op) {
    case kNeg: return unaryLoop(x, o, v, 0.3, [](T a) { return -a; });
    case kExp: return d([](double a) { return std::exp(a); }, 4);
    case kLog: return d([](double a) { return std::log(a); }, 4);
    case kLog1p: return d([](double a) { return std::log1p(a); }, 6);
    case kExpm1: return d([](double a) { return std::expm1(a); }, 6);
    case kSqrt: return unaryLoop(x, o, v, 1, [](T a) { return std::sqrt(a); });
    case kAbs: return unaryLoop(x, o, v, 0.3, [](T a) { return std::fabs(a); });
    case kSign: return unaryLoop(x, o, v, 0.5, [](T a) { return signJs(a); });
    case kTanh: return d([](double a) { return std::tanh(a); }, 8);
    case kSigmoid: return d([](double a) { return sigmoidJs(a); }, 6);
    case kErf: return d([](double a) { return erfJs(a); }, 40);
    case kSin: return d([](double a) { return std::sin(a); }, 8);
    case kCos: return d([](double a) { return std::cos(a); }, 8);
    case kRelu: return unaryLoop(x, o, v, 0.3, [](T a) { return a <= 0 ? T(0) : a; });
  }
}

template <typename T, typename O, typename F>
void binaryLoop(const T* a, const T* b, O* o, const Views& v, double cost, F f) {
  const int64_t* st[3] = {v.strides[0], v.strides[1], v.strides[2]};
  Walk<3> w(v.nd, v.shape, st, v.offset);
  const int64_t sa = w.inner[0], sb = w.inner[1];
  forRows(w, cost, [&](const int64_t* p, int64_t n) {
    const T* x = a + p[0];
    const T* y = b + p[1];
    O* z = o + p[2];
    if (sa == 1 && sb == 1)
      for (int64_t e = 0; e < n; e++) z[e] = f(x[e], y[e]);
    else if (sa == 1 && sb == 0)
      for (int64_t e = 0; e < n; e++) z[e] = f(x[e], y[0]);
    else if (sa == 0 && sb == 1)
      for (int64_t e = 0; e < n; e++) z[e] = f(x[0], y[e]);
    else
      for (int64_t e = 0; e < n; e++) z[e] = f(x[e * sa], y[e * sb]);
  });
}

// A product rounded before it is added: clang outside x86 contracts across the pragma above under
// -ffp-contract=fast, so there a volatile round trip keeps the two roundings (and the loop scalar).
template <typename T>
inline T apart(T v) {
#if defined(__clang__) && !(defined(__x86_64__) || defined(__i386__))
  volatile T t = v;
  return t;
#else
  return v;
#endif
}

template <typename T>
void binaryTyped(int op, const T* a, const T* b, void* out, const Views& v) {
  T* o = static_cast<T*>(out);
  uint8_t* c = static_cast<uint8_t*>(out);
  switch (op) {
    case kAdd: return binaryLoop(a, b, o, v, 0.3, [](T x, T y) { return x + y; });
    case kSub: return binaryLoop(a, b, o, v, 0.3, [](T x, T y) { return x - y; });
    case kMul: return binaryLoop(a, b, o, v, 0.3, [](T x, T y) { return x * y; });
    case kDiv: return binaryLoop(a, b, o, v, 0.5, [](T x, T y) { return x / y; });
    case kPow:
      return binaryLoop(a, b, o, v, 20, [](T x, T y) { return static_cast<T>(powJs(x, y)); });
    case kMaximum: return binaryLoop(a, b, o, v, 0.5, maxJs<T>);
    case kMinimum: return binaryLoop(a, b, o, v, 0.5, minJs<T>);
    case kReluGrad: return binaryLoop(a, b, o, v, 0.3, [](T g, T y) { return y <= 0 ? T(0) : g; });
    // each operation rounded to T, as the separate ops round
    case kTanhGrad: return binaryLoop(a, b, o, v, 0.4, [](T g, T y) { return g * (T(1) - apart(y * y)); });
    case kSigmoidGrad: return binaryLoop(a, b, o, v, 0.4, [](T g, T y) { return g * (y * (T(1) - y)); });
    case kEq: return binaryLoop(a, b, c, v, 0.3, [](T x, T y) -> uint8_t { return x == y; });
    case kNe: return binaryLoop(a, b, c, v, 0.3, [](T x, T y) -> uint8_t { return x != y; });
    case kLt: return binaryLoop(a, b, c, v, 0.3, [](T x, T y) -> uint8_t { return x < y; });
    case kLe: return binaryLoop(a, b, c, v, 0.3, [](T x, T y) -> uint8_t { return x <= y; });
    case kGt: return binaryLoop(a, b, c, v, 0.3, [](T x, T y) -> uint8_t { return x > y; });
    case kGe: return binaryLoop(a, b, c, v, 0.3, [](T x, T y) -> uint8_t { return x >= y; });
  }
}

// c ? a : b without a branch (a branch per element mispredicts on data like relu's signs: ~4 ns per
// element instead of ~0.5 ns); whole-bit masks, so NaN payloads and -0 pass through unchanged.
template <typename T>
inline T pick(uint8_t c, T a, T b) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t,
                               std::conditional_t<sizeof(T) == 4, uint32_t, uint8_t>>;
  static_assert(sizeof(T) == sizeof(U), "pick: unsupported element size");
  U ua, ub;
  std::memcpy(&ua, &a, sizeof(T));
  std::memcpy(&ub, &b, sizeof(T));
  const U m = static_cast<U>(U(0) - static_cast<U>(c != 0));
  const U r = static_cast<U>((ua & m) | (ub & static_cast<U>(~m)));
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

template <typename T>
void whereTyped(const uint8_t* c, const T* a, const T* b, T* o, const Views& v) {
  const int64_t* st[4] = {v.strides[0], v.strides[1], v.strides[2], v.strides[3]};
  Walk<4> w(v.nd, v.shape, st, v.offset);
  const int64_t sc = w.inner[0], sa = w.inner[1], sb = w.inner[2];
  forRows(w, 0.5, [&](const int64_t* p, int64_t n) {
    const uint8_t* q = c + p[0];
    const T* x = a + p[1];
    const T* y = b + p[2];
    T* z = o + p[3];
    if (sc == 1 && sa == 0 && sb == 1)  // relu's where(x ≤ 0, 0, x) and masked fills
      for (int64_t e = 0; e < n; e++) z[e] = pick(q[e], x[0], y[e]);
    else if (sc == 1 && sa == 1 && sb == 0)
      for (int64_t e = 0; e < n; e++) z[e] = pick(q[e], x[e], y[0]);
    else if (sc == 1 && sa == 1 && sb == 1)
      for (int64_t e = 0; e < n; e++) z[e] = pick(q[e], x[e], y[e]);
    else
      for (int64_t e = 0; e < n; e++) z[e] = pick(q[e * sc], x[e * sa], y[e * sb]);
  });
}

// A transposed source (its rows strided, but consecutive rows adjacent) is copied in 32×32 tiles, so
// that neither side walks memory a cache line per element. False if the layout is not like that.
template <typename S, typename D>
bool copyTiled(const S* x, D* o, const Walk<2>& w) {
  constexpr int64_t T = 32;
  if (w.nd < 1) return false;
  const int last = w.nd - 1;
  const int64_t s = w.inner[0], so = w.inner[1], ro = w.strides[1][last];
  const int64_t R = w.shape[last], N = w.n;
  if (s == 1 || w.strides[0][last] != 1 || N < T || R < T) return false;
  const int64_t* st[2] = {w.strides[0], w.strides[1]};
  Walk<2> outer(last, w.shape, st, w.base);
  outer.range(0, outer.total(), [&](const int64_t* p, int64_t len) {
    for (int64_t q = 0; q < len; q++) {
      const S* a = x + p[0] + q * outer.inner[0];
      D* b = o + p[1] + q * outer.inner[1];
      for (int64_t r0 = 0; r0 < R; r0 += T)
        for (int64_t e0 = 0; e0 < N; e0 += T) {
          const int64_t r1 = r0 + T < R ? r0 + T : R, e1 = e0 + T < N ? e0 + T : N;
          for (int64_t e = e0; e < e1; e++)
            for (int64_t r = r0; r < r1; r++) b[r * ro + e * so] = jsStore<D>(a[r + e * s]);
        }
    }
  });
  return true;
}

template <typename S, typename D>
void copyTyped(const S* x, D* o, const Views& v) {
  const int64_t* st[2] = {v.strides[0], v.strides[1]};
  Walk<2> w(v.nd, v.shape, st, v.offset);
  const int64_t s = w.inner[0], so = w.inner[1];
  // Within one storage the order could matter (the cpu backend copies row by row): no tiles there.
  if (static_cast<const void*>(x) != static_cast<const void*>(o) && copyTiled(x, o, w)) return;
  // Serial: source and destination may share storage, and the cpu backend's order then decides.
  w.range(0, w.total(), [&](const int64_t* p, int64_t n) {
    const S* a = x + p[0];
    D* b = o + p[1];
    if (s == 1 && so == 1)
      for (int64_t e = 0; e < n; e++) b[e] = jsStore<D>(a[e]);
    else
      for (int64_t e = 0; e < n; e++) b[e * so] = jsStore<D>(a[e * s]);
  });
}

template <typename S>
void copyFrom(DType to, const S* x, void* out, const Views& v) {
  switch (to) {
    case DType::F32: return copyTyped(x, static_cast<float*>(out), v);
    case DType::F64: return copyTyped(x, static_cast<double*>(out), v);
    case DType::I32: return copyTyped(x, static_cast<int32_t*>(out), v);
    case DType::U8: return copyTyped(x, static_cast<uint8_t*>(out), v);
  }
}

}  // namespace

void unary(int op, DType dt, const void* x, void* out, const Views& v) {
  if (dt == DType::F32) unaryTyped(op, static_cast<const float*>(x), static_cast<float*>(out), v);
  else unaryTyped(op, static_cast<const double*>(x), static_cast<double*>(out), v);
}

void binary(int op, DType dt, const void* a, const void* b, void* out, const Views& v) {
  if (dt == DType::F32) binaryTyped(op, static_cast<const float*>(a), static_cast<const float*>(b), out, v);
  else binaryTyped(op, static_cast<const double*>(a), static_cast<const double*>(b), out, v);
}

void where(DType dt, const uint8_t* c, const void* a, const void* b, void* out, const Views& v) {
  switch (dt) {
    case DType::F32:
      return whereTyped(c, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(out), v);
    case DType::F64:
      return whereTyped(c, static_cast<const double*>(a), static_cast<const double*>(b),
                        static_cast<double*>(out), v);
    case DType::I32:
      return whereTyped(c, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b),
                        static_cast<int32_t*>(out), v);
    case DType::U8:
      return whereTyped(c, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b),
                        static_cast<uint8_t*>(out), v);
  }
}

void copy(DType from, DType to, const void* x, void* out, const Views& v) {
  switch (from) {
    case DType::F32: return copyFrom(to, static_cast<const float*>(x), out, v);
    case DType::F64: return copyFrom(to, static_cast<const double*>(x), out, v);
    case DType::I32: return copyFrom(to, static_cast<const int32_t*>(x), out, v);
    case DType::U8: return copyFrom(to, static_cast<const uint8_t*>(x), out, v);
  }
}

}  // namespace cr
