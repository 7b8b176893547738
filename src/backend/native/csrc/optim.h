// Fused optimizer updates of the native backend (optim.cc): SGD and Adam/AdamW on contiguous float32
// runs, in place. The constants arrive already rounded to float32 by src/optim/fused.ts, whose loops are
// the specification; these kernels do the same float32 operations in the same order.
#pragma once
#include <cstdint>

namespace cr {

struct SgdConsts {
  float sign, momentum, keep, lr, weightDecay;  // keep = 1 − dampening, lr negated
  bool decays, nesterov, first;
};

struct AdamConsts {
  float sign, beta1, keep1, beta2, keep2, stepSize, bc2Sqrt, eps, wdS, shrink;  // stepSize negated
  bool shrinks, l2;
};

/**
 * p, g (and buf when momentum is on, else null) hold n elements each. False, with nothing written, where
 * this build cannot promise the specification's bits (clang off x86: see optim.cc).
 */
bool sgdStep(float* p, const float* g, float* buf, int64_t n, const SgdConsts& k);
/** vMax is null without amsgrad; false as for sgdStep. */
bool adamStep(float* p, const float* g, float* m, float* v, float* vMax, int64_t n, const AdamConsts& k);

}  // namespace cr
