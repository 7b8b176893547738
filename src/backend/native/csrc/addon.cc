// N-API glue for the native backend: reads typed arrays in place (zero copy) and the views that the
// TypeScript wrapper packs into a shared Float64Array descriptor, checks them against the arrays'
// lengths (a bad view throws instead of reading out of bounds), and calls the kernels.
#define NAPI_VERSION 8
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif


#include "gemm.h"
#include "kernels.h"
#include "optim.h"

namespace cr {
namespace {

struct Arr {
  DType dt;
  void* data;
  int64_t length;
};

// The descriptor layout: [nd, shape[nd], then per operand strides[nd] and offset, then extras].
struct Desc {
  int nd = 0;
  int64_t shape[kMaxDims];
  int64_t strides[4][kMaxDims];
  int64_t offset[4];
  const double* extra = nullptr;
};

struct Instance {
  napi_ref descRef = nullptr;
  const double* desc = nullptr;
  size_t descLength = 0;
};

napi_value fail(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

bool getArray(napi_env env, napi_value v, Arr& out) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off) != napi_ok) return false;
  switch (type) {
    case napi_float32_array: out.dt = DType::F32; break;
    case napi_float64_array: out.dt = DType::F64; break;
    case napi_int32_array: out.dt = DType::I32; break;
    case napi_uint8_array: out.dt = DType::U8; break;
    default: return false;
  }
  out.data = data;
  out.length = static_cast<int64_t>(length);
  return true;
}

// Reads `ops` operand views over one shape from the descriptor; false if malformed.
bool readDesc(const Instance* inst, int ops, Desc& d) {
  const double* p = inst->desc;
  if (p == nullptr) return false;
  d.nd = static_cast<int>(p[0]);
  if (d.nd < 0 || d.nd > kMaxDims) return false;
  if (static_cast<size_t>(1 + d.nd + ops * (d.nd + 1)) > inst->descLength) return false;
  for (int i = 0; i < d.nd; i++) d.shape[i] = static_cast<int64_t>(p[1 + i]);
  const double* q = p + 1 + d.nd;
  for (int k = 0; k < ops; k++, q += d.nd + 1) {
    for (int i = 0; i < d.nd; i++) d.strides[k][i] = static_cast<int64_t>(q[i]);
    d.offset[k] = static_cast<int64_t>(q[d.nd]);
  }
  d.extra = q;
  return true;
}

int64_t numel(int nd, const int64_t* shape) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= shape[i];
  return n;
}

// Every element the view can reach lies inside an array of `length` elements (plus `reach` at the end).
bool inBounds(int nd, const int64_t* shape, const int64_t* strides, int64_t offset, int64_t length,
              int64_t reach = 0) {
  int64_t lo = offset, hi = offset + reach;
  for (int i = 0; i < nd; i++) {
    if (shape[i] <= 0) return shape[i] == 0;
    const int64_t ext = (shape[i] - 1) * strides[i];
    if (ext > 0) hi += ext;
    else lo += ext;
  }
  return lo >= 0 && hi < length;
}

Views views(const Desc& d, int ops) {
  Views v{d.nd, d.shape, {}, {}};
  for (int k = 0; k < ops; k++) {
    v.strides[k] = d.strides[k];
    v.offset[k] = d.offset[k];
  }
  return v;
}

// Parses the call: `n` arguments, all typed arrays from index `first` on, and `ops` views.
struct Call {
  napi_value argv[6];
  Arr arr[6];
  Desc d;
  int32_t code = 0;
};

bool parse(napi_env env, napi_callback_info info, size_t n, size_t first, int ops, Call& c) {
  size_t argc = n;
  void* data;
  if (napi_get_cb_info(env, info, &argc, c.argv, nullptr, &data) != napi_ok || argc < n) return false;
  if (first > 0 && napi_get_value_int32(env, c.argv[0], &c.code) != napi_ok) return false;
  for (size_t i = first; i < n; i++)
    if (!getArray(env, c.argv[i], c.arr[i])) return false;
  Instance* inst;
  if (napi_get_instance_data(env, reinterpret_cast<void**>(&inst)) != napi_ok) return false;
  return readDesc(inst, ops, c.d);
}

bool isFloat(DType t) { return t == DType::F32 || t == DType::F64; }

napi_value Init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Arr a;
  if (argc < 1 || !getArray(env, argv[0], a) || a.dt != DType::F64) return fail(env, "init: expected a Float64Array");
  Instance* inst;
  napi_get_instance_data(env, reinterpret_cast<void**>(&inst));
  if (inst->descRef != nullptr) napi_delete_reference(env, inst->descRef);
  napi_create_reference(env, argv[0], 1, &inst->descRef);
  inst->desc = static_cast<const double*>(a.data);
  inst->descLength = static_cast<size_t>(a.length);
  return nullptr;
}

napi_value Unary(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 3, 1, 1, c)) return fail(env, "unary: bad arguments");
  const Arr &x = c.arr[1], &o = c.arr[2];
  if (!isFloat(x.dt) || o.dt != x.dt || c.code < 0 || c.code > kRelu) return fail(env, "unary: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], x.length) ||
      numel(c.d.nd, c.d.shape) > o.length)
    return fail(env, "unary: view out of bounds");
  contiguousStrides(c.d.nd, c.d.shape, c.d.strides[1]);
  c.d.offset[1] = 0;
  unary(c.code, x.dt, x.data, o.data, views(c.d, 2));
  return nullptr;
}

napi_value Binary(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 4, 1, 2, c)) return fail(env, "binary: bad arguments");
  const Arr &a = c.arr[1], &b = c.arr[2], &o = c.arr[3];
  const bool cmp = c.code >= kEq;
  if (!isFloat(a.dt) || b.dt != a.dt || o.dt != (cmp ? DType::U8 : a.dt) || c.code < 0 || c.code > kGe)
    return fail(env, "binary: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], a.length) ||
      !inBounds(c.d.nd, c.d.shape, c.d.strides[1], c.d.offset[1], b.length) || numel(c.d.nd, c.d.shape) > o.length)
    return fail(env, "binary: view out of bounds");
  contiguousStrides(c.d.nd, c.d.shape, c.d.strides[2]);
  c.d.offset[2] = 0;
  binary(c.code, a.dt, a.data, b.data, o.data, views(c.d, 3));
  return nullptr;
}

napi_value Where(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 4, 0, 3, c)) return fail(env, "where: bad arguments");
  const Arr &q = c.arr[0], &a = c.arr[1], &b = c.arr[2], &o = c.arr[3];
  if (q.dt != DType::U8 || b.dt != a.dt || o.dt != a.dt) return fail(env, "where: bad types");
  const int64_t lens[3] = {q.length, a.length, b.length};
  for (int k = 0; k < 3; k++)
    if (!inBounds(c.d.nd, c.d.shape, c.d.strides[k], c.d.offset[k], lens[k]))
      return fail(env, "where: view out of bounds");
  if (numel(c.d.nd, c.d.shape) > o.length) return fail(env, "where: output too small");
  contiguousStrides(c.d.nd, c.d.shape, c.d.strides[3]);
  c.d.offset[3] = 0;
  where(a.dt, static_cast<const uint8_t*>(q.data), a.data, b.data, o.data, views(c.d, 4));
  return nullptr;
}

napi_value Copy(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 2, 0, 2, c)) return fail(env, "copy: bad arguments");
  const Arr &x = c.arr[0], &o = c.arr[1];
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], x.length) ||
      !inBounds(c.d.nd, c.d.shape, c.d.strides[1], c.d.offset[1], o.length))
    return fail(env, "copy: view out of bounds");
  copy(x.dt, o.dt, x.data, o.data, views(c.d, 2));
  return nullptr;
}

napi_value Reduce(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 3, 1, 1, c)) return fail(env, "reduce: bad arguments");
  const Arr &x = c.arr[1], &o = c.arr[2];
  if (!isFloat(x.dt) || o.dt != x.dt || c.code < kSum || c.code > kMin) return fail(env, "reduce: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], x.length))
    return fail(env, "reduce: view out of bounds");
  uint8_t flags[kMaxDims];
  int64_t kept = 1;
  for (int i = 0; i < c.d.nd; i++) {
    flags[i] = c.d.extra[i] != 0;
    if (!flags[i]) kept *= c.d.shape[i];
  }
  if (kept > o.length) return fail(env, "reduce: output too small");
  reduce(c.code, x.dt, x.data, o.data, views(c.d, 1), flags);
  return nullptr;
}

napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 3, 1, 1, c)) return fail(env, "argReduce: bad arguments");
  const Arr &x = c.arr[1], &o = c.arr[2];
  const int axis = static_cast<int>(c.d.extra[0]);
  if (!isFloat(x.dt) || o.dt != DType::I32 || axis < 0 || axis >= c.d.nd) return fail(env, "argReduce: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], x.length) ||
      numel(c.d.nd, c.d.shape) / (c.d.shape[axis] > 0 ? c.d.shape[axis] : 1) > o.length)
    return fail(env, "argReduce: view out of bounds");
  argReduce(c.code != 0, x.dt, x.data, static_cast<int32_t*>(o.data), views(c.d, 1), axis);
  return nullptr;
}

napi_value LogSoftmax(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 2, 0, 1, c)) return fail(env, "logSoftmax: bad arguments");
  const Arr &x = c.arr[0], &o = c.arr[1];
  const int axis = static_cast<int>(c.d.extra[0]);
  if (!isFloat(x.dt) || o.dt != x.dt || axis < 0 || axis >= c.d.nd) return fail(env, "logSoftmax: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], x.length) ||
      numel(c.d.nd, c.d.shape) > o.length)
    return fail(env, "logSoftmax: view out of bounds");
  logSoftmax(x.dt, x.data, o.data, views(c.d, 1), axis);
  return nullptr;
}

napi_value Gather(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 3, 0, 2, c)) return fail(env, "gather: bad arguments");
  const Arr &x = c.arr[0], &idx = c.arr[1], &o = c.arr[2];
  const int64_t sd = static_cast<int64_t>(c.d.extra[0]), size = static_cast<int64_t>(c.d.extra[1]);
  if (idx.dt != DType::I32 || o.dt != x.dt || sd < 0) return fail(env, "gather: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], idx.length) ||
      !inBounds(c.d.nd, c.d.shape, c.d.strides[1], c.d.offset[1], x.length, (size - 1) * sd) ||
      numel(c.d.nd, c.d.shape) > o.length)
    return fail(env, "gather: view out of bounds");
  contiguousStrides(c.d.nd, c.d.shape, c.d.strides[2]);
  c.d.offset[2] = 0;
  if (!gather(x.dt, x.data, static_cast<const int32_t*>(idx.data), o.data, views(c.d, 3), sd, size))
    return fail(env, "gather: index out of range");
  return nullptr;
}

napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  Call c;
  if (!parse(env, info, 3, 0, 3, c)) return fail(env, "scatterAdd: bad arguments");
  const Arr &o = c.arr[0], &idx = c.arr[1], &src = c.arr[2];
  const int64_t sd = static_cast<int64_t>(c.d.extra[0]), size = static_cast<int64_t>(c.d.extra[1]);
  if (idx.dt != DType::I32 || src.dt != o.dt || sd < 0) return fail(env, "scatterAdd: bad types");
  if (!inBounds(c.d.nd, c.d.shape, c.d.strides[0], c.d.offset[0], idx.length) ||
      !inBounds(c.d.nd, c.d.shape, c.d.strides[1], c.d.offset[1], src.length) ||
      !inBounds(c.d.nd, c.d.shape, c.d.strides[2], c.d.offset[2], o.length, (size - 1) * sd))
    return fail(env, "scatterAdd: view out of bounds");
  if (!scatterAdd(o.dt, o.data, static_cast<const int32_t*>(idx.data), src.data, views(c.d, 3), sd, size))
    return fail(env, "scatterAdd: index out of range");
  return nullptr;
}

// Argument i when it is given and neither null nor undefined.
bool present(napi_env env, size_t argc, const napi_value* argv, size_t i) {
  napi_valuetype t;
  return argc > i && napi_typeof(env, argv[i], &t) == napi_ok && t != napi_null && t != napi_undefined;
}

// A packing from PackB starts at the first 64-byte boundary of its bytes.
char* aligned64(void* p) {
  return reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + 63) & ~static_cast<uintptr_t>(63));
}

// Matmul descriptor: [r, m, k, n, batch[r-2], aStrides[r], aOffset, bStrides[r], bOffset, biasOffset, relu];
// arguments a, b, out, an optional bias (n values from biasOffset, added to every row) and an optional
// packing of b from PackB (used where it was made for this shape by the kernel set in use).
napi_value Matmul(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Arr a, b, o, bias{DType::F32, nullptr, 0}, packed{DType::U8, nullptr, 0};
  const bool hasBias = present(env, argc, argv, 3), hasPacked = present(env, argc, argv, 4);
  if (argc < 3 || !getArray(env, argv[0], a) || !getArray(env, argv[1], b) || !getArray(env, argv[2], o) ||
      (hasBias && !getArray(env, argv[3], bias)) ||
      (hasPacked && (!getArray(env, argv[4], packed) || packed.dt != DType::U8)))
    return fail(env, "matmul: bad arguments");
  if (!isFloat(a.dt) || b.dt != a.dt || o.dt != a.dt || (hasBias && bias.dt != a.dt))
    return fail(env, "matmul: bad types");
  Instance* inst;
  napi_get_instance_data(env, reinterpret_cast<void**>(&inst));
  const double* p = inst->desc;
  const int r = p == nullptr ? 0 : static_cast<int>(p[0]);
  if (r < 2 || r > kMaxDims || static_cast<size_t>(6 + (r - 2) + 2 * (r + 1)) > inst->descLength)
    return fail(env, "matmul: bad rank");
  MatmulDesc d{};
  d.nb = r - 2;
  d.m = static_cast<int64_t>(p[1]);
  d.k = static_cast<int64_t>(p[2]);
  d.n = static_cast<int64_t>(p[3]);
  const double* q = p + 4;
  int64_t ashape[kMaxDims], bshape[kMaxDims], as[kMaxDims], bs[kMaxDims];
  for (int i = 0; i < d.nb; i++) d.batch[i] = ashape[i] = bshape[i] = static_cast<int64_t>(q[i]);
  q += d.nb;
  for (int i = 0; i < r; i++) as[i] = static_cast<int64_t>(q[i]);
  d.offa = static_cast<int64_t>(q[r]);
  q += r + 1;
  for (int i = 0; i < r; i++) bs[i] = static_cast<int64_t>(q[i]);
  d.offb = static_cast<int64_t>(q[r]);
  const int64_t offBias = static_cast<int64_t>(q[r + 1]);
  const bool relu = q[r + 2] != 0;
  ashape[r - 2] = d.m, ashape[r - 1] = d.k, bshape[r - 2] = d.k, bshape[r - 1] = d.n;
  for (int i = 0; i < d.nb; i++) d.sab[i] = as[i], d.sbb[i] = bs[i];
  d.rsa = as[r - 2], d.csa = as[r - 1], d.rsb = bs[r - 2], d.csb = bs[r - 1];
  if (!inBounds(r, ashape, as, d.offa, a.length) || !inBounds(r, bshape, bs, d.offb, b.length) ||
      numel(d.nb, d.batch) * d.m * d.n > o.length ||
      (hasBias && (offBias < 0 || offBias + d.n > bias.length)))
    return fail(env, "matmul: view out of bounds");
  const size_t esize = a.dt == DType::F32 ? 4 : 8;
  const char* pk = hasPacked ? aligned64(packed.data) : nullptr;
  if (pk != nullptr && pk - static_cast<char*>(packed.data) + packedBytes(a.dt, d.k, d.n) > packed.length)
    pk = nullptr;  // too short to be a packing of this shape
  matmul(a.dt, a.data, b.data, o.data, d, hasBias ? static_cast<char*>(bias.data) + offBias * esize : nullptr,
         relu, pk);
  return nullptr;
}

// PackB descriptor: [k, n, rsb, csb, offb]; argument b (float32 or float64). Returns a Uint8Array holding,
// from its first 64-byte boundary, B packed for matmul by the kernel set in use (gemm.h, packMatmulB).
napi_value PackB(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Arr b;
  if (argc < 1 || !getArray(env, argv[0], b) || !isFloat(b.dt)) return fail(env, "packB: expected a float array");
  Instance* inst;
  napi_get_instance_data(env, reinterpret_cast<void**>(&inst));
  const double* p = inst->desc;
  if (p == nullptr || inst->descLength < 5) return fail(env, "packB: no descriptor");
  int64_t shape[2] = {static_cast<int64_t>(p[0]), static_cast<int64_t>(p[1])};
  int64_t strides[2] = {static_cast<int64_t>(p[2]), static_cast<int64_t>(p[3])};
  const int64_t off = static_cast<int64_t>(p[4]);
  if (shape[0] < 0 || shape[1] < 0 || !inBounds(2, shape, strides, off, b.length))
    return fail(env, "packB: view out of bounds");
  const int64_t bytes = packedBytes(b.dt, shape[0], shape[1]) + 63;
  void* data;
  napi_value buf, out;
  if (napi_create_arraybuffer(env, static_cast<size_t>(bytes), &data, &buf) != napi_ok ||
      napi_create_typedarray(env, napi_uint8_array, static_cast<size_t>(bytes), buf, 0, &out) != napi_ok)
    return fail(env, "packB: out of memory");
  const size_t esize = b.dt == DType::F32 ? 4 : 8;
  packMatmulB(b.dt, static_cast<char*>(b.data) + off * esize, shape[0], shape[1], strides[0], strides[1],
              aligned64(data));
  return out;
}

// Optimizer updates: float32 runs of one length, in place (`optional` ones may be null), that must not
// overlap; the constants come in the descriptor (layouts in src/backend/native/index.ts).
bool getRuns(napi_env env, napi_callback_info info, size_t n, size_t optional, float** runs, int64_t& len) {
  size_t argc = n;
  napi_value argv[5];
  if (n > 5 || napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < n) return false;
  len = -1;
  for (size_t i = 0; i < n; i++) {
    napi_valuetype t;
    if (i >= n - optional && napi_typeof(env, argv[i], &t) == napi_ok && (t == napi_null || t == napi_undefined)) {
      runs[i] = nullptr;
      continue;
    }
    Arr a;
    if (!getArray(env, argv[i], a) || a.dt != DType::F32 || (len >= 0 && a.length != len)) return false;
    len = a.length;
    runs[i] = static_cast<float*>(a.data);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (runs[i] != nullptr && runs[j] != nullptr && runs[i] < runs[j] + len && runs[j] < runs[i] + len)
        return false;
  return true;
}

const double* constants(napi_env env, size_t count) {
  Instance* inst;
  if (napi_get_instance_data(env, reinterpret_cast<void**>(&inst)) != napi_ok || inst->desc == nullptr ||
      inst->descLength < count)
    return nullptr;
  return inst->desc;
}

// Descriptor: [flags (1 decays, 2 nesterov, 4 first), sign, momentum, keep, lr, weightDecay].
napi_value SgdStep(napi_env env, napi_callback_info info) {
  float* r[3];
  int64_t n;
  const double* q = constants(env, 6);
  if (!getRuns(env, info, 3, 1, r, n) || q == nullptr) return fail(env, "sgdStep: bad arguments");
  const int flags = static_cast<int>(q[0]);
  const SgdConsts k{static_cast<float>(q[1]), static_cast<float>(q[2]), static_cast<float>(q[3]),
                    static_cast<float>(q[4]), static_cast<float>(q[5]), (flags & 1) != 0, (flags & 2) != 0,
                    (flags & 4) != 0};
  napi_value done;
  napi_get_boolean(env, sgdStep(r[0], r[1], r[2], n, k), &done);
  return done;
}

// Descriptor: [flags (1 shrinks, 2 l2), sign, beta1, keep1, beta2, keep2, stepSize, bc2Sqrt, eps, wdS, shrink].
napi_value AdamStep(napi_env env, napi_callback_info info) {
  float* r[5];
  int64_t n;
  const double* q = constants(env, 11);
  if (!getRuns(env, info, 5, 1, r, n) || q == nullptr) return fail(env, "adamStep: bad arguments");
  const int flags = static_cast<int>(q[0]);
  AdamConsts k{};
  float* c[] = {&k.sign, &k.beta1, &k.keep1, &k.beta2, &k.keep2, &k.stepSize, &k.bc2Sqrt, &k.eps, &k.wdS, &k.shrink};
  for (int i = 0; i < 10; i++) *c[i] = static_cast<float>(q[1 + i]);
  k.shrinks = (flags & 1) != 0;
  k.l2 = (flags & 2) != 0;
  napi_value done;
  napi_get_boolean(env, adamStep(r[0], r[1], r[2], r[3], r[4], n, k), &done);
  return done;
}

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok) return fail(env, "setNumThreads: expected a number");
  setNumThreads(n);
  return nullptr;
}

napi_value NumThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, numThreads(), &v);
  return v;
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, gemmIsa(), NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[32] = {0};
  size_t len;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok)
    return fail(env, "setIsa: expected a string");
  napi_value v;
  napi_get_boolean(env, setGemmIsa(name), &v);
  return v;
}

// Op outputs are malloc'd (Buffer.allocUnsafeSlow) and freed in batches when V8 collects them. glibc then
// returns the heap top to the kernel and the next outputs fault their pages in again: typically 230-420
// faults per 512² product, which on 2 threads fault side by side (W1 n = 512: p50 150 → 190-215 GFLOP/s with fixed
// thresholds). Allocations below 32 MiB stay in the heap and up to 128 MiB of freed memory stays mapped.
napi_value TuneMalloc(napi_env env, napi_callback_info) {
  bool done = false;
#if defined(__GLIBC__)
  done = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 128 << 20) == 1;
#endif
  napi_value v;
  napi_get_boolean(env, done, &v);
  return v;
}

void Finalize(napi_env env, void* data, void*) {
  Instance* inst = static_cast<Instance*>(data);
  if (inst->descRef != nullptr) napi_delete_reference(env, inst->descRef);
  delete inst;
}

}  // namespace
}  // namespace cr

NAPI_MODULE_INIT() {
  using namespace cr;
  napi_set_instance_data(env, new Instance(), Finalize, nullptr);
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {
      {"init", Init},           {"unary", Unary},           {"binary", Binary},
      {"where", Where},         {"copy", Copy},             {"reduce", Reduce},
      {"argReduce", ArgReduce}, {"logSoftmax", LogSoftmax}, {"gather", Gather},
      {"scatterAdd", ScatterAdd}, {"matmul", Matmul},       {"packB", PackB},
      {"setNumThreads", SetNumThreads},
      {"numThreads", NumThreads}, {"isa", Isa},             {"setIsa", SetIsa},
      {"sgdStep", SgdStep},     {"adamStep", AdamStep},     {"tuneMalloc", TuneMalloc},
  };
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  return exports;
}
