#include "operator.h"

#include <sstream>

namespace hogwild {

Operator::Operator(const OperatorDef& def, Workspace& ws) : _def(def) {
  for (const auto& name : def.inputs) {
    Blob* b = ws.findBlob(name);
    // Inputs may be produced later by another op of the same plan; they are
    // created empty now and checked when the op runs.
    _inputs.push_back(b ? b : &ws.createBlob(name));
  }
  for (const auto& name : def.outputs) _outputs.push_back(&ws.createBlob(name));
  const std::set<std::string>* produced = ProducedBlobsScope::current();
  for (const auto& name : def.inputs) _inputProduced.push_back(produced && produced->count(name) > 0);
}

namespace {
thread_local const std::set<std::string>* tCurrentProduced = nullptr;
}  // namespace

ProducedBlobsScope::ProducedBlobsScope(const std::set<std::string>* produced) : _previous(tCurrentProduced) {
  tCurrentProduced = produced;
}
ProducedBlobsScope::~ProducedBlobsScope() { tCurrentProduced = _previous; }
const std::set<std::string>* ProducedBlobsScope::current() { return tCurrentProduced; }

std::string Operator::label() const {
  return _def.name.empty() ? _def.type : _def.type + " '" + _def.name + "'";
}

void Operator::fail(const char* code, const std::string& message) const {
  throw Error(code, label() + ": " + message);
}

const Tensor& Operator::input(size_t i) const {
  const Tensor* t = _inputs.at(i)->tensorOrNull();
  if (!t) {
    fail(codes::kMissingBlob, "Expected input " + std::to_string(i) + " '" + inputName(i) +
                                  "' to be an initialized tensor but it holds " + _inputs.at(i)->kindName());
  }
  return *t;
}

namespace {
const Argument* findArg(const OperatorDef& def, const std::string& name) {
  auto it = def.args.find(name);
  return it == def.args.end() ? nullptr : &it->second;
}
}  // namespace

int64_t Operator::argInt(const std::string& name, int64_t fallback) const {
  const Argument* a = findArg(_def, name);
  if (!a) return fallback;
  if (a->type == Argument::Type::Int) return a->i;
  if (a->type == Argument::Type::Float && std::isfinite(a->f) && a->f == std::floor(a->f) && std::fabs(a->f) < 9.007199254740992e15)
    return static_cast<int64_t>(a->f);
  std::ostringstream m;
  m << "Expected an integer for argument '" << name << "' but received ";
  if (a->type == Argument::Type::Float) m << a->f; else m << "a non-number";
  fail(codes::kInvalidArgument, m.str());
}

double Operator::argFloat(const std::string& name, double fallback) const {
  const Argument* a = findArg(_def, name);
  if (!a) return fallback;
  if (a->type != Argument::Type::Int && a->type != Argument::Type::Float)
    fail(codes::kInvalidArgument, "Expected a number for argument '" + name + "'");
  double v = a->type == Argument::Type::Int ? static_cast<double>(a->i) : a->f;
  if (std::isnan(v)) fail(codes::kInvalidArgument, "Expected a number for argument '" + name + "' but received NaN");
  return v;
}

std::string Operator::argString(const std::string& name, const std::string& fallback) const {
  const Argument* a = findArg(_def, name);
  if (!a) return fallback;
  if (a->type != Argument::Type::String) fail(codes::kInvalidArgument, "Expected a string for argument '" + name + "'");
  return a->s;
}

std::vector<int64_t> Operator::argInts(const std::string& name, std::vector<int64_t> fallback) const {
  const Argument* a = findArg(_def, name);
  if (!a) return fallback;
  if (a->type == Argument::Type::Ints) return a->ints;
  if (a->type == Argument::Type::Int) return {a->i};
  if (a->type == Argument::Type::Floats) {
    std::vector<int64_t> out;
    for (double v : a->floats) {
      if (!(std::isfinite(v) && v == std::floor(v))) fail(codes::kInvalidArgument, "Expected integers for argument '" + name + "'");
      out.push_back(static_cast<int64_t>(v));
    }
    return out;
  }
  fail(codes::kInvalidArgument, "Expected a list of integers for argument '" + name + "'");
}

std::vector<double> Operator::argFloats(const std::string& name, std::vector<double> fallback) const {
  const Argument* a = findArg(_def, name);
  if (!a) return fallback;
  if (a->type == Argument::Type::Floats) return a->floats;
  if (a->type == Argument::Type::Ints) return {a->ints.begin(), a->ints.end()};
  if (a->type == Argument::Type::Float || a->type == Argument::Type::Int) return {argFloat(name, 0)};
  fail(codes::kInvalidArgument, "Expected a list of numbers for argument '" + name + "'");
}

std::vector<std::string> Operator::argStrings(const std::string& name, std::vector<std::string> fallback) const {
  const Argument* a = findArg(_def, name);
  if (!a) return fallback;
  if (a->type == Argument::Type::Strings) return a->strings;
  if (a->type == Argument::Type::String) return {a->s};
  fail(codes::kInvalidArgument, "Expected a list of strings for argument '" + name + "'");
}

void Operator::expectDtype(size_t i, const Tensor& t, DType dtype) const {
  if (t.dtype() != dtype) {
    fail(codes::kDtypeMismatch, std::string("Expected ") + dtypeName(dtype) + " for input " + std::to_string(i) + " '" +
                                    inputName(i) + "' but received " + dtypeName(t.dtype()));
  }
}

void Operator::expectNdim(size_t i, const Tensor& t, int64_t ndim) const {
  if (t.ndim() != ndim) {
    fail(codes::kShapeMismatch, "Expected a " + std::to_string(ndim) + "-D tensor for input " + std::to_string(i) + " '" +
                                    inputName(i) + "' but received shape " + shapeString(t.shape()));
  }
}

void Operator::expectShape(size_t i, const Tensor& t, const Shape& shape) const {
  if (t.shape() != shape) {
    fail(codes::kShapeMismatch, "Expected shape " + shapeString(shape) + " for input " + std::to_string(i) + " '" +
                                    inputName(i) + "' but received " + shapeString(t.shape()));
  }
}

}  // namespace hogwild
