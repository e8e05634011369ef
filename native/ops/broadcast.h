#pragma once
// Numpy broadcasting for binary elementwise ops, and its reverse (summing a
// full-size gradient down to an input's shape). Shapes are right-aligned and a
// dim of 1 broadcasts. A plan collapses runs of dims that broadcast alike, so
// the work is a sequence of contiguous runs where each input's stride is 1 or
// 0; the kernels below spell out those cases so the compiler vectorizes them.
#include <string>
#include <vector>

#include "../core/tensor.h"

namespace hogwild {

// The numpy result shape of a and b; false when some dim pair is neither equal nor 1.
bool broadcastShapes(const Shape& a, const Shape& b, Shape* out);

// Caffe2's legacy `broadcast=1` rule: B's dims line up with A's from `axis`
// (-1: B is a suffix of A), each equal or 1, and the result has A's shape.
// Returns B's shape padded with 1s to A's rank; false (with *why) otherwise.
bool legacyBroadcastShape(const Shape& a, const Shape& b, int64_t axis, Shape* bPadded, std::string* why);

class BroadcastPlan {
 public:
  BroadcastPlan() = default;
  // `a` and `b` must each broadcast to `out` (callers checked with broadcastShapes).
  BroadcastPlan(const Shape& a, const Shape& b, const Shape& out);
  bool matches(const Shape& a, const Shape& b, const Shape& out) const {
    return _built && a == _a && b == _b && out == _out;
  }

  // f(offsetA, offsetB, offsetOut, n, strideA, strideB) for each contiguous run
  // of n output elements; strides are 1 (walks the input) or 0 (repeats one element).
  template <typename F> void forEachRun(F&& f) const;

 private:
  Shape _a, _b, _out;
  std::vector<int64_t> _dims, _sa, _sb;  // collapsed, outer to inner
  int64_t _numel = 0;
  bool _built = false;
};

template <typename F> void BroadcastPlan::forEachRun(F&& f) const {
  if (_numel == 0) return;
  const size_t nd = _dims.size();
  const int64_t inner = _dims[nd - 1], sa = _sa[nd - 1], sb = _sb[nd - 1];
  int64_t idx[16] = {0};  // odometer; ranks above 16 are rare enough to pay for a heap copy
  std::vector<int64_t> bigIdx;
  int64_t* pos = idx;
  if (nd > 16) {
    bigIdx.assign(nd, 0);
    pos = bigIdx.data();
  }
  int64_t oa = 0, ob = 0, oo = 0;
  for (;;) {
    f(oa, ob, oo, inner, sa, sb);
    oo += inner;
    int64_t d = static_cast<int64_t>(nd) - 2;
    for (; d >= 0; --d) {
      const size_t k = static_cast<size_t>(d);
      oa += _sa[k];
      ob += _sb[k];
      if (++pos[k] < _dims[k]) break;
      oa -= _sa[k] * _dims[k];
      ob -= _sb[k] * _dims[k];
      pos[k] = 0;
    }
    if (d < 0) return;
  }
}

// out = fn(a, b) over the plan. `out` may be `a` or `b` when that input has the output's shape.
template <class TA, class TB, class TO, class Fn>
void broadcastBinary(const BroadcastPlan& plan, const TA* a, const TB* b, TO* out, Fn fn) {
  plan.forEachRun([&](int64_t ia, int64_t ib, int64_t io, int64_t n, int64_t sa, int64_t sb) {
    const TA* pa = a + ia;
    const TB* pb = b + ib;
    TO* po = out + io;
    if (sa && sb) {
      for (int64_t i = 0; i < n; ++i) po[i] = fn(pa[i], pb[i]);
    } else if (sa) {
      const TB vb = *pb;
      for (int64_t i = 0; i < n; ++i) po[i] = fn(pa[i], vb);
    } else if (sb) {
      const TA va = *pa;
      for (int64_t i = 0; i < n; ++i) po[i] = fn(va, pb[i]);
    } else {
      const TO v = fn(*pa, *pb);
      for (int64_t i = 0; i < n; ++i) po[i] = v;
    }
  });
}

// small = sum of `big` over the dims where `smallShape` broadcasts to `bigShape`
// (smallShape must broadcast to bigShape). `small` and `big` must not overlap.
template <class T>
void sumToShape(const T* big, const Shape& bigShape, T* small, const Shape& smallShape) {
  const int64_t n = checkedNumel(smallShape);
  for (int64_t i = 0; i < n; ++i) small[i] = T(0);
  BroadcastPlan plan(smallShape, bigShape, bigShape);
  plan.forEachRun([&](int64_t is, int64_t, int64_t ib, int64_t len, int64_t ss, int64_t) {
    const T* pb = big + ib;
    T* ps = small + is;
    if (ss) {
      for (int64_t i = 0; i < len; ++i) ps[i] += pb[i];
    } else {
      T acc = T(0);
      for (int64_t i = 0; i < len; ++i) acc += pb[i];
      *ps += acc;
    }
  });
}

}  // namespace hogwild
