#include "op_helpers.h"

#include <algorithm>
#include <cctype>

namespace hogwild {

bool parseDtypeAlias(const std::string& name, DType* out) {
  if (parseDtype(name, out)) return true;
  std::string s = name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (parseDtype(s, out)) return true;
  static const struct { const char* name; DType type; } kAliases[] = {
      {"float", DType::Float32}, {"double", DType::Float64}, {"int", DType::Int32},
      {"long", DType::Int64},    {"byte", DType::Uint8},
  };
  for (const auto& a : kAliases) {
    if (s == a.name) {
      *out = a.type;
      return true;
    }
  }
  return false;
}

bool dtypeFromCaffe2Enum(int64_t value, DType* out) {
  switch (value) {
    case 1: *out = DType::Float32; return true;
    case 2: *out = DType::Int32; return true;
    case 3: *out = DType::Uint8; return true;
    case 5: *out = DType::Bool; return true;
    case 6: *out = DType::Uint8; return true;
    case 10: *out = DType::Int64; return true;
    case 13: *out = DType::Float64; return true;
    default: return false;
  }
}

void sumRepeatedInputGradients(const OperatorDef& def, GradientDefs* g) {
  std::vector<bool> done(def.inputs.size(), false);
  std::vector<std::vector<bool>> renamed(g->ops.size());
  for (size_t k = 0; k < g->ops.size(); ++k) renamed[k].assign(g->ops[k].outputs.size(), false);
  for (size_t i = 0; i < def.inputs.size(); ++i) {
    if (done[i]) continue;
    std::vector<size_t> slots;
    for (size_t j = i; j < def.inputs.size(); ++j)
      if (def.inputs[j] == def.inputs[i] && j < g->inputs.size() && g->inputs[j].kind == GradientSpec::Kind::Dense) slots.push_back(j);
    for (size_t j : slots) done[j] = true;
    if (slots.size() < 2) continue;
    const std::string total = gradName(def.inputs[i]);
    std::vector<std::string> parts;
    for (size_t j : slots) {
      const std::string& name = g->inputs[j].dense;
      bool written = false;
      for (size_t k = 0; k < g->ops.size() && !written; ++k) {
        for (size_t o = 0; o < g->ops[k].outputs.size() && !written; ++o) {
          if (renamed[k][o] || g->ops[k].outputs[o] != name) continue;
          g->ops[k].outputs[o] = total + "_autosplit_" + std::to_string(parts.size());
          renamed[k][o] = true;
          parts.push_back(g->ops[k].outputs[o]);
          written = true;
        }
      }
      if (!written) parts.push_back(name);
    }
    g->ops.push_back(makeOp("Sum", parts, {total}));
    for (size_t j : slots) g->inputs[j] = denseGradient(total);
  }
}

std::map<std::string, Argument> copyArgs(const OperatorDef& def, std::initializer_list<const char*> names) {
  std::map<std::string, Argument> out;
  for (const char* n : names) {
    auto it = def.args.find(n);
    if (it != def.args.end()) out.emplace(it->first, it->second);
  }
  return out;
}

DType BasicOp::argDtype(const std::string& name, DType fallback) const {
  auto it = def().args.find(name);
  if (it == def().args.end()) return fallback;
  const Argument& a = it->second;
  DType t;
  if (a.type == Argument::Type::String) {
    if (!parseDtypeAlias(a.s, &t))
      fail(codes::kInvalidArgument, "Expected a dtype name (float32, float64, int32, int64, uint8, bool) for argument '" +
                                        name + "' but received '" + a.s + "'");
    return t;
  }
  int64_t v = argInt(name, 0);
  if (!dtypeFromCaffe2Enum(v, &t))
    fail(codes::kInvalidArgument,
         "Expected a supported Caffe2 dtype number (1, 2, 3, 5, 6, 10, 13) for argument '" + name + "' but received " +
             std::to_string(v));
  return t;
}

Shape BasicOp::argShape(const std::string& name) const {
  Shape shape = argInts(name);
  for (int64_t d : shape) {
    if (d < 0)
      fail(codes::kInvalidArgument, "Expected non-negative dims for argument '" + name + "' but received " + shapeString(shape));
  }
  checkedNumel(shape);
  return shape;
}

int64_t BasicOp::normalizeAxis(int64_t axis, int64_t rank, const std::string& argName) const {
  if (axis < -rank || axis >= rank) {
    fail(codes::kInvalidArgument, "Expected " + argName + " in [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                                      ") for a " + std::to_string(rank) + "-D input but received " + std::to_string(axis));
  }
  return axis < 0 ? axis + rank : axis;
}

void BasicOp::expectSameDtype(size_t i, const Tensor& a, size_t j, const Tensor& b) const {
  if (a.dtype() != b.dtype()) {
    fail(codes::kDtypeMismatch, std::string("Expected input ") + std::to_string(j) + " '" + inputName(j) + "' to have the dtype of input " +
                                    std::to_string(i) + " '" + inputName(i) + "' (" + dtypeName(a.dtype()) + ") but received " +
                                    dtypeName(b.dtype()));
  }
}

void BasicOp::expectFloat(size_t i, const Tensor& t) const {
  if (!isFloatDtype(t.dtype())) {
    fail(codes::kDtypeMismatch, "Expected float32 or float64 for input " + std::to_string(i) + " '" + inputName(i) +
                                    "' but received " + dtypeName(t.dtype()));
  }
}

void BasicOp::expectNumeric(size_t i, const Tensor& t) const {
  if (!isNumericDtype(t.dtype())) {
    fail(codes::kDtypeMismatch, "Expected float32, float64, int32 or int64 for input " + std::to_string(i) + " '" +
                                    inputName(i) + "' but received " + dtypeName(t.dtype()));
  }
}

std::vector<int64_t> BasicOp::intValues(size_t i, const Tensor& t) const {
  if (t.dtype() != DType::Int64 && t.dtype() != DType::Int32)
    fail(codes::kDtypeMismatch, "Expected int32 or int64 for input " + std::to_string(i) + " '" + inputName(i) +
                                    "' but received " + dtypeName(t.dtype()));
  expectNdim(i, t, 1);
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (size_t k = 0; k < v.size(); ++k)
    v[k] = t.dtype() == DType::Int64 ? elems<int64_t>(t)[k] : elems<int32_t>(t)[k];
  return v;
}

double BasicOp::scalarValue(size_t i, const Tensor& t) const {
  expectFloat(i, t);
  if (t.numel() != 1) {
    fail(codes::kShapeMismatch, "Expected a tensor with 1 element for input " + std::to_string(i) + " '" + inputName(i) +
                                    "' but received shape " + shapeString(t.shape()));
  }
  return t.dtype() == DType::Float32 ? static_cast<double>(*elems<float>(t)) : *elems<double>(t);
}

void BasicOp::checkInPlaceShape(size_t out, size_t in, const Shape& outShape) const {
  if (!outputIsInput(out, in)) return;
  const Tensor* t = inputBlob(in).tensorOrNull();
  if (t && t->shape() != outShape) {
    fail(codes::kShapeMismatch, "Expected in-place output " + std::to_string(out) + " '" + outputName(out) +
                                    "' to keep the shape of input " + std::to_string(in) + " " + shapeString(t->shape()) +
                                    " but the result has shape " + shapeString(outShape));
  }
}

void BasicOp::forbidInPlace(size_t in) const {
  for (size_t o = 0; o < numOutputs(); ++o) {
    if (outputIsInput(o, in)) {
      fail(codes::kInvalidArgument, "Expected output " + std::to_string(o) + " '" + outputName(o) +
                                        "' to differ from input " + std::to_string(in) + " (in-place is not supported here)");
    }
  }
}

}  // namespace hogwild
