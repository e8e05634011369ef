#pragma once
// Plain descriptions of ops and nets, built from JS plan data by the binding
// (or by C++ tests directly). Nothing here touches a workspace.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hogwild {

struct Argument {
  enum class Type { Int, Float, String, Ints, Floats, Strings };
  Type type = Type::Int;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;

  static Argument ofInt(int64_t v) { Argument a; a.type = Type::Int; a.i = v; a.f = static_cast<double>(v); return a; }
  static Argument ofFloat(double v) { Argument a; a.type = Type::Float; a.f = v; return a; }
  static Argument ofString(std::string v) { Argument a; a.type = Type::String; a.s = std::move(v); return a; }
  static Argument ofInts(std::vector<int64_t> v) { Argument a; a.type = Type::Ints; a.ints = std::move(v); return a; }
  static Argument ofFloats(std::vector<double> v) { Argument a; a.type = Type::Floats; a.floats = std::move(v); return a; }
  static Argument ofStrings(std::vector<std::string> v) { Argument a; a.type = Type::Strings; a.strings = std::move(v); return a; }
};

struct OperatorDef {
  std::string type;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, Argument> args;
  // Optional label used in error messages.
  std::string name;
};

struct NetDef {
  std::string name;
  std::vector<OperatorDef> ops;
};

// Convenience builder for C++ tests and gradient makers.
inline OperatorDef makeOp(std::string type, std::vector<std::string> inputs, std::vector<std::string> outputs,
                          std::map<std::string, Argument> args = {}) {
  OperatorDef d;
  d.type = std::move(type);
  d.inputs = std::move(inputs);
  d.outputs = std::move(outputs);
  d.args = std::move(args);
  return d;
}

}  // namespace hogwild
