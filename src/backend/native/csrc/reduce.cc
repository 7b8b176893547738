// Native reductions (sum/max/min over any dims, argmax/argmin along one) and the index kernels gather
// and scatter-add. Sums accumulate in double like the cpu backend; when the reduced dims are outer ones
// each output still sums its inputs in the cpu backend's order, so those results are bit-identical.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"

namespace cr {
namespace {

struct Split {
  int nk = 0, nr = 0;
  int64_t kShape[kMaxDims], kStrides[kMaxDims], rShape[kMaxDims], rStrides[kMaxDims];
  int64_t nOut = 1, nRed = 1;
  bool reducedInner = true;  // is the dim with the smallest stride one of the reduced ones?
};

Split splitDims(const Views& v, const uint8_t* reduced) {
  Split s;
  int64_t best = std::numeric_limits<int64_t>::max();
  for (int d = 0; d < v.nd; d++) {
    const int64_t st = v.strides[0][d];
    if (reduced[d]) {
      s.rShape[s.nr] = v.shape[d];
      s.rStrides[s.nr++] = st;
      s.nRed *= v.shape[d];
    } else {
      s.kShape[s.nk] = v.shape[d];
      s.kStrides[s.nk++] = st;
      s.nOut *= v.shape[d];
    }
    const int64_t a = st < 0 ? -st : st;
    if (v.shape[d] > 1 && a != 0 && a < best) {
      best = a;
      s.reducedInner = reduced[d] != 0;
    }
  }
  return s;
}

template <typename T>
inline double sumRow(const T* x, int64_t s, int64_t n) {
  if (s != 1) {
    double acc = 0;
    for (int64_t e = 0; e < n; e++) acc += x[e * s];
    return acc;
  }
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t e = 0;
  for (; e + 4 <= n; e += 4) {
    a0 += x[e];
    a1 += x[e + 1];
    a2 += x[e + 2];
    a3 += x[e + 3];
  }
  for (; e < n; e++) a0 += x[e];
  return (a0 + a1) + (a2 + a3);
}

// acc := the extremum of acc and x[0..n) in the cpu backend's order (NaN sticks, first of ties stays).
template <typename T>
inline void extremumRow(bool isMax, const T* x, int64_t s, int64_t n, double& acc) {
  for (int64_t e = 0; e < n; e++) {
    const double v = x[e * s];
    if ((isMax ? v > acc : v < acc) || v != v) acc = v;
  }
}

// Each output walks its reduced slice (the reduced dims are the inner ones).
template <typename T>
void reducePerOutput(int op, const T* x, T* out, const Split& s, int64_t offset) {
  const int64_t* ks[1] = {s.kStrides};
  const int64_t* rs[1] = {s.rStrides};
  const int64_t zero[1] = {0};
  Walk<1> outer(s.nk, s.kShape, ks, &offset);
  Walk<1> inner(s.nr, s.rShape, rs, zero);
  parallelFor(static_cast<double>(s.nOut) * s.nRed * 0.5, s.nOut, [&](int t, int n) {
    int64_t o0, o1;
    split(s.nOut, t, n, o0, o1);
    Walk<1> ow = outer, iw = inner;
    int64_t o = o0;
    ow.range(o0, o1, [&](const int64_t* p, int64_t len) {
      for (int64_t q = 0; q < len; q++) {
        const T* base = x + p[0] + q * ow.inner[0];
        double acc = op == kSum ? 0 : op == kMax ? -INFINITY : INFINITY;
        iw.range(0, s.nRed, [&](const int64_t* r, int64_t m) {
          if (op == kSum) acc += sumRow(base + r[0], iw.inner[0], m);
          else extremumRow(op == kMax, base + r[0], iw.inner[0], m, acc);
        });
        out[o++] = static_cast<T>(acc);
      }
    });
  });
}

// The kept dims are the inner ones: sweep the reduced positions in order, updating a block of outputs.
template <typename T>
void reduceAcrossRows(int op, const T* x, T* out, const Split& s, int64_t offset) {
  int64_t os[kMaxDims];
  contiguousStrides(s.nk, s.kShape, os);
  const int64_t* ks[2] = {s.kStrides, os};
  const int64_t zeros[2] = {0, 0};
  const int64_t* rs[1] = {s.rStrides};
  Walk<2> kept(s.nk, s.kShape, ks, zeros);
  Walk<1> red(s.nr, s.rShape, rs, &offset);
  constexpr int64_t kBlock = 2048;
  const double init = op == kSum ? 0 : op == kMax ? -INFINITY : INFINITY;
  // Parts of at least 256 outputs: each part walks every reduced row, and narrower strips cost more in
  // walking than they save (a 128×512 column sum took 27 µs in eight strips, 16.5 µs in one).
  const int64_t units = s.nOut / 256 > 1 ? s.nOut / 256 : 1;
  parallelFor(static_cast<double>(s.nOut) * s.nRed * 0.5, units, [&](int t, int n) {
    int64_t o0, o1;
    split(s.nOut, t, n, o0, o1);
    std::vector<double> acc(static_cast<size_t>(kBlock));
    Walk<2> kw = kept;
    Walk<1> rw = red;
    for (int64_t c0 = o0; c0 < o1; c0 += kBlock) {
      const int64_t c1 = c0 + kBlock < o1 ? c0 + kBlock : o1;
      for (int64_t i = 0; i < c1 - c0; i++) acc[i] = init;
      rw.range(0, s.nRed, [&](const int64_t* r, int64_t m) {
        for (int64_t q = 0; q < m; q++) {
          const T* xr = x + r[0] + q * rw.inner[0];
          kw.range(c0, c1, [&](const int64_t* p, int64_t len) {
            const T* xp = xr + p[0];
            double* ap = acc.data() + (p[1] - c0);
            const int64_t st = kw.inner[0];
            if (op == kSum)
              for (int64_t e = 0; e < len; e++) ap[e] += xp[e * st];
            else
              for (int64_t e = 0; e < len; e++) {
                const double v = xp[e * st];
                if ((op == kMax ? v > ap[e] : v < ap[e]) || v != v) ap[e] = v;
              }
          });
        }
      });
      for (int64_t i = 0; i < c1 - c0; i++) out[c0 + i] = static_cast<T>(acc[i]);
    }
  });
}

template <typename T>
void reduceTyped(int op, const T* x, T* out, const Views& v, const uint8_t* reduced) {
  const Split s = splitDims(v, reduced);
  if (s.nOut == 0) return;
  if (s.nRed == 0) {
    const T init = op == kSum ? T(0) : op == kMax ? -INFINITY : INFINITY;
    for (int64_t o = 0; o < s.nOut; o++) out[o] = init;
    return;
  }
  if (s.reducedInner || s.nk == 0) reducePerOutput(op, x, out, s, v.offset[0]);
  else reduceAcrossRows(op, x, out, s, v.offset[0]);
}

// f(o, line) for each line of x along `axis` (o: its position in the order of the other dims, line: its
// first element; the axis has stride strides[0][axis]), over the pool for work of ~nsPerElement each.
template <typename T, typename F>
void forEachLine(const T* x, const Views& v, int axis, double nsPerElement, F&& f) {
  uint8_t flags[kMaxDims] = {};
  flags[axis] = 1;
  const Split s = splitDims(v, flags);
  const int64_t* ks[1] = {s.kStrides};
  Walk<1> outer(s.nk, s.kShape, ks, &v.offset[0]);
  parallelFor(static_cast<double>(s.nOut) * v.shape[axis] * nsPerElement, s.nOut, [&](int t, int nth) {
    int64_t o0, o1;
    split(s.nOut, t, nth, o0, o1);
    Walk<1> ow = outer;
    int64_t o = o0;
    ow.range(o0, o1, [&](const int64_t* p, int64_t len) {
      for (int64_t q = 0; q < len; q++, o++) f(o, x + p[0] + q * ow.inner[0]);
    });
  });
}

template <typename T>
void argReduceTyped(bool isMax, const T* x, int32_t* out, const Views& v, int axis) {
  const int64_t n = v.shape[axis], st = v.strides[0][axis];
  forEachLine(x, v, axis, 0.7, [&](int64_t o, const T* line) {
    int32_t best = 0;
    T bv = n > 0 ? line[0] : T(0);
    for (int64_t j = 1; j < n && bv == bv; j++) {
      const T val = line[j * st];
      if (val != val || (isMax ? val > bv : val < bv)) {
        best = static_cast<int32_t>(j);
        bv = val;
      }
    }
    out[o] = best;
  });
}

// x − m − log Σ exp(x − m) along the axis, m the max (0 when ±∞, NaN spreading), in double for the sum;
// out is contiguous in x's shape.
template <typename T>
void logSoftmaxTyped(const T* x, T* out, const Views& v, int axis) {
  const int64_t n = v.shape[axis], st = v.strides[0][axis];
  int64_t after = 1;
  for (int d = axis + 1; d < v.nd; d++) after *= v.shape[d];
  forEachLine(x, v, axis, 6, [&](int64_t k, const T* line) {
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < n; j++) {
      const T val = line[j * st];
      if (val > m || val != val) m = val;
    }
    if (std::isinf(m)) m = 0;
    double sum = 0;
    for (int64_t j = 0; j < n; j++) sum += std::exp(static_cast<double>(line[j * st]) - m);
    const double lse = std::log(sum) + m;
    T* o = out + (k - k % after) * n + k % after;
    for (int64_t j = 0; j < n; j++) o[j * after] = static_cast<T>(line[j * st] - lse);
  });
}

template <typename T>
bool gatherTyped(const T* x, const int32_t* idx, T* out, const Views& v, int64_t sd, int64_t size) {
  const int64_t* st[3] = {v.strides[0], v.strides[1], v.strides[2]};
  Walk<3> w(v.nd, v.shape, st, v.offset);
  bool ok = true;
  const int64_t si = w.inner[0], sx = w.inner[1];
  w.range(0, w.total(), [&](const int64_t* p, int64_t n) {
    const int32_t* ip = idx + p[0];
    const T* xp = x + p[1];
    T* op = out + p[2];
    for (int64_t e = 0; e < n; e++) {
      const int64_t j = ip[e * si];
      if (j < 0 || j >= size) {
        ok = false;
        return;
      }
      op[e] = xp[e * sx + j * sd];
    }
  });
  return ok;
}

template <typename T>
inline T addWrapping(T a, T b) {
  if constexpr (std::is_same_v<T, int32_t>)
    return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
  else return static_cast<T>(a + b);
}

template <typename T>
bool scatterTyped(T* out, const int32_t* idx, const T* src, const Views& v, int64_t sd, int64_t size) {
  const int64_t* st[3] = {v.strides[0], v.strides[1], v.strides[2]};
  Walk<3> w(v.nd, v.shape, st, v.offset);
  bool ok = true;
  const int64_t si = w.inner[0], ss = w.inner[1], so = w.inner[2];
  w.range(0, w.total(), [&](const int64_t* p, int64_t n) {
    for (int64_t e = 0; e < n && ok; e++) {
      const int64_t j = idx[p[0] + e * si];
      if (j < 0 || j >= size) ok = false;
      else {
        T& o = out[p[2] + e * so + j * sd];
        o = addWrapping(o, src[p[1] + e * ss]);
      }
    }
  });
  return ok;
}

}  // namespace

void reduce(int op, DType dt, const void* x, void* out, const Views& v, const uint8_t* reduced) {
  if (dt == DType::F32) reduceTyped(op, static_cast<const float*>(x), static_cast<float*>(out), v, reduced);
  else reduceTyped(op, static_cast<const double*>(x), static_cast<double*>(out), v, reduced);
}

void argReduce(bool isMax, DType dt, const void* x, int32_t* out, const Views& v, int axis) {
  if (dt == DType::F32) argReduceTyped(isMax, static_cast<const float*>(x), out, v, axis);
  else argReduceTyped(isMax, static_cast<const double*>(x), out, v, axis);
}

void logSoftmax(DType dt, const void* x, void* out, const Views& v, int axis) {
  if (dt == DType::F32) logSoftmaxTyped(static_cast<const float*>(x), static_cast<float*>(out), v, axis);
  else logSoftmaxTyped(static_cast<const double*>(x), static_cast<double*>(out), v, axis);
}

bool gather(DType dt, const void* x, const int32_t* idx, void* out, const Views& v, int64_t sd, int64_t size) {
  switch (dt) {
    case DType::F32:
      return gatherTyped(static_cast<const float*>(x), idx, static_cast<float*>(out), v, sd, size);
    case DType::F64:
      return gatherTyped(static_cast<const double*>(x), idx, static_cast<double*>(out), v, sd, size);
    case DType::I32:
      return gatherTyped(static_cast<const int32_t*>(x), idx, static_cast<int32_t*>(out), v, sd, size);
    case DType::U8:
      return gatherTyped(static_cast<const uint8_t*>(x), idx, static_cast<uint8_t*>(out), v, sd, size);
  }
  return false;
}

bool scatterAdd(DType dt, void* out, const int32_t* idx, const void* src, const Views& v, int64_t sd,
                int64_t size) {
  switch (dt) {
    case DType::F32:
      return scatterTyped(static_cast<float*>(out), idx, static_cast<const float*>(src), v, sd, size);
    case DType::F64:
      return scatterTyped(static_cast<double*>(out), idx, static_cast<const double*>(src), v, sd, size);
    case DType::I32:
      return scatterTyped(static_cast<int32_t*>(out), idx, static_cast<const int32_t*>(src), v, sd, size);
    case DType::U8:
      return scatterTyped(static_cast<uint8_t*>(out), idx, static_cast<const uint8_t*>(src), v, sd, size);
  }
  return false;
}

}  // namespace cr
