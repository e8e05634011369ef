#include "broadcast.h"

#include <algorithm>

namespace hogwild {

bool broadcastShapes(const Shape& a, const Shape& b, Shape* out) {
  const size_t nd = std::max(a.size(), b.size());
  Shape r(nd);
  for (size_t i = 0; i < nd; ++i) {
    // Right-aligned: position i from the end.
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) return false;
    r[nd - 1 - i] = da == 1 ? db : da;
  }
  *out = std::move(r);
  return true;
}

bool legacyBroadcastShape(const Shape& a, const Shape& b, int64_t axis, Shape* bPadded, std::string* why) {
  const int64_t na = static_cast<int64_t>(a.size()), nb = static_cast<int64_t>(b.size());
  if (nb > na) {
    *why = "B may not have more dims than A with broadcast=1";
    return false;
  }
  if (axis == -1) axis = na - nb;
  if (axis < 0 || axis > na - nb) {
    *why = "axis " + std::to_string(axis) + " does not place B's " + std::to_string(nb) + " dims inside A's " +
           std::to_string(na);
    return false;
  }
  Shape padded(static_cast<size_t>(na), 1);
  for (int64_t i = 0; i < nb; ++i) {
    const int64_t da = a[static_cast<size_t>(axis + i)], db = b[static_cast<size_t>(i)];
    if (db != da && db != 1) {
      *why = "dim " + std::to_string(i) + " of B is " + std::to_string(db) + " but dim " + std::to_string(axis + i) +
             " of A is " + std::to_string(da);
      return false;
    }
    padded[static_cast<size_t>(axis + i)] = db;
  }
  *bPadded = std::move(padded);
  return true;
}

BroadcastPlan::BroadcastPlan(const Shape& a, const Shape& b, const Shape& out)
    : _a(a), _b(b), _out(out), _built(true) {
  _numel = checkedNumel(out);
  const size_t nd = out.size();
  auto padded = [nd](const Shape& s) {
    Shape p(nd - s.size(), 1);
    p.insert(p.end(), s.begin(), s.end());
    return p;
  };
  const Shape pa = padded(a), pb = padded(b);
  // Keep dims that are not 1 in the output, merging neighbours that broadcast alike.
  std::vector<bool> ba, bb;
  for (size_t d = 0; d < nd; ++d) {
    if (out[d] == 1) continue;
    const bool xa = pa[d] == 1, xb = pb[d] == 1;
    if (!_dims.empty() && ba.back() == xa && bb.back() == xb) {
      _dims.back() *= out[d];
    } else {
      _dims.push_back(out[d]);
      ba.push_back(xa);
      bb.push_back(xb);
    }
  }
  if (_dims.empty()) {
    _dims.push_back(1);
    ba.push_back(false);
    bb.push_back(false);
  }
  _sa.assign(_dims.size(), 0);
  _sb.assign(_dims.size(), 0);
  int64_t stepA = 1, stepB = 1;
  for (size_t k = _dims.size(); k-- > 0;) {
    if (!ba[k]) {
      _sa[k] = stepA;
      stepA *= _dims[k];
    }
    if (!bb[k]) {
      _sb[k] = stepB;
      stepB *= _dims[k];
    }
  }
}

}  // namespace hogwild
