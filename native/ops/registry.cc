#include "registry.h"

namespace hogwild {

OpRegistry& OpRegistry::instance() {
  static OpRegistry registry;  // filled by static registrars, then read-only
  return registry;
}

OpSchema& OpRegistry::add(const std::string& type, OpFactory factory) {
  OpSchema& s = _schemas[type];
  s.type = type;
  s.factory = std::move(factory);
  return s;
}

const OpSchema* OpRegistry::find(const std::string& type) const {
  auto it = _schemas.find(type);
  return it == _schemas.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& kv : _schemas) out.push_back(kv.first);
  return out;
}

namespace {
std::string countRange(int lo, int hi) {
  if (lo == hi) return std::to_string(lo);
  if (hi == INT_MAX) return "at least " + std::to_string(lo);
  return std::to_string(lo) + " to " + std::to_string(hi);
}
}  // namespace

std::unique_ptr<Operator> OpRegistry::create(const OperatorDef& def, Workspace& ws) const {
  const OpSchema* s = find(def.type);
  HW_CHECK(s, codes::kUnknownOp, "Unknown operator '" << def.type << "'");
  int ni = static_cast<int>(def.inputs.size()), no = static_cast<int>(def.outputs.size());
  HW_CHECK(ni >= s->minInputs && ni <= s->maxInputs, codes::kInvalidArgument,
           def.type << ": expected " << countRange(s->minInputs, s->maxInputs) << " inputs but received " << ni);
  HW_CHECK(no >= s->minOutputs && no <= s->maxOutputs, codes::kInvalidArgument,
           def.type << ": expected " << countRange(s->minOutputs, s->maxOutputs) << " outputs but received " << no);
  for (const auto& name : def.inputs) HW_CHECK(!name.empty(), codes::kInvalidArgument, def.type << ": empty input name");
  for (const auto& name : def.outputs) HW_CHECK(!name.empty(), codes::kInvalidArgument, def.type << ": empty output name");
  if (!s->anyArgs) {
    for (const auto& kv : def.args) {
      HW_CHECK(s->args.count(kv.first), codes::kUnknownArgument,
               def.type << ": unknown argument '" << kv.first << "'");
    }
  }
  return s->factory(def, ws);
}

namespace {

// Drops the gradient ops whose outputs neither are a kept input gradient nor
// feed a later kept op (walked backwards, so chains of dead ops go too).
void dropDeadGradientOps(GradientDefs* g) {
  std::set<std::string> live;
  for (const GradientSpec& s : g->inputs) {
    for (const std::string* n : {&s.dense, &s.indices, &s.values})
      if (!n->empty()) live.insert(*n);
  }
  std::vector<OperatorDef> kept;
  for (auto it = g->ops.rbegin(); it != g->ops.rend(); ++it) {
    bool needed = false;
    for (const std::string& o : it->outputs) needed = needed || live.count(o) > 0;
    if (!needed) continue;
    for (const std::string& i : it->inputs) live.insert(i);
    kept.push_back(*it);
  }
  g->ops.assign(kept.rbegin(), kept.rend());
}

}  // namespace

GradientDefs OpRegistry::gradient(const OperatorDef& def, const std::vector<std::string>& outputGrads,
                                  const std::vector<bool>& wanted) const {
  const OpSchema* s = find(def.type);
  HW_CHECK(s, codes::kUnknownOp, "Unknown operator '" << def.type << "'");
  HW_CHECK(s->gradient, codes::kInvalidArgument, "Operator '" << def.type << "' has no gradient");
  HW_CHECK(outputGrads.size() == def.outputs.size(), codes::kInvalidArgument,
           def.type << ": expected one output gradient name per output");
  HW_CHECK(wanted.empty() || wanted.size() == def.inputs.size(), codes::kInvalidArgument,
           def.type << ": expected one wanted-gradient flag per input (" << def.inputs.size() << ") but received "
                    << wanted.size());
  const std::vector<bool> all = wanted.empty() ? std::vector<bool>(def.inputs.size(), true) : wanted;
  GradientDefs g = s->gradient(def, outputGrads, all);
  g.inputs.resize(def.inputs.size());
  if (wanted.empty()) return g;
  for (size_t i = 0; i < g.inputs.size(); ++i)
    if (!all[i]) g.inputs[i] = GradientSpec{};
  dropDeadGradientOps(&g);
  return g;
}

}  // namespace hogwild
