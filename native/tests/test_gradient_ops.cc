// Every gradient of the elementwise, sum, clip, shape and reduce ops against
// central finite differences (op_test_util.h: checkGradient), including
// broadcasting in both directions, legacy broadcast, in-place forwards and
// missing output gradients; plus the gradients that must refuse.
#include "op_test_util.h"

using namespace hwtest;

namespace {
Argument I(int64_t v) { return Argument::ofInt(v); }
Argument F(double v) { return Argument::ofFloat(v); }
Argument Is(std::vector<int64_t> v) { return Argument::ofInts(std::move(v)); }

// A float64 tensor of `shape` with values in [lo, lo + 1] (away from 0 when lo > 0).
Tensor d(Shape shape, uint64_t seed, double lo = -0.5) {
  auto v = noise(static_cast<size_t>(checkedNumel(shape)), seed);
  for (auto& x : v) x = lo + 0.5 * (x + 1);
  return make(DType::Float64, std::move(shape), v);
}

void checkBinary(const char* type, Shape a, Shape b, std::map<std::string, Argument> args = {}) {
  // Positive B keeps Div away from its pole.
  checkGradient(makeOp(type, {"A", "B"}, {"C"}, args), {{"A", d(a, 1)}, {"B", d(b, 2, 0.5)}}, {"A", "B"});
}
}  // namespace

TEST(arithmetic_gradients_with_broadcasting) {
  for (const char* type : {"Add", "Sub", "Mul", "Div"}) {
    checkBinary(type, {2, 3}, {2, 3});
    checkBinary(type, {2, 3}, {3});
    checkBinary(type, {3}, {2, 3});
    checkBinary(type, {2, 1}, {1, 3});
    checkBinary(type, {2, 3, 4}, {3, 1});
    checkBinary(type, {}, {2, 2});
    checkBinary(type, {2, 2}, {});
    checkBinary(type, {2, 3, 4}, {3}, {{"broadcast", I(1)}, {"axis", I(1)}});
  }
}

TEST(arithmetic_gradients_in_place_and_same_input) {
  for (const char* type : {"Add", "Sub", "Div"})
    checkGradient(makeOp(type, {"A", "B"}, {"A"}), {{"A", d({2, 3}, 3)}, {"B", d({3}, 4, 0.5)}}, {"A", "B"});
  for (const char* type : {"Add", "Sub", "Mul", "Div"})
    checkGradient(makeOp(type, {"X", "X"}, {"Y"}), {{"X", d({2, 2}, 5, 0.5)}}, {"X"});
}

TEST(repeated_inputs_sum_their_gradients) {
  checkGradient(makeOp("Sum", {"X", "Y", "X"}, {"S"}), {{"X", d({3}, 1)}, {"Y", d({3}, 2)}}, {"X", "Y"});
  checkGradient(makeOp("Sum", {"X", "X"}, {"X"}), {{"X", d({3}, 1)}}, {"X"});
  checkGradient(makeOp("WeightedSum", {"X", "w", "X", "v"}, {"S"}, {{"grad_on_w", I(1)}}),
                {{"X", d({3}, 1)}, {"w", d({1}, 2)}, {"v", d({1}, 3)}}, {"X", "w", "v"});
  checkGradient(makeOp("WeightedSum", {"X", "w", "Y", "w"}, {"S"}, {{"grad_on_w", I(1)}}),
                {{"X", d({3}, 1)}, {"Y", d({3}, 4)}, {"w", d({1}, 2)}}, {"X", "Y", "w"});
  checkGradient(makeOp("Concat", {"X", "Y", "X"}, {"C", "info"}, {{"axis", I(0)}}), {{"X", d({2}, 1)}, {"Y", d({1}, 2)}},
                {"X", "Y"});
  // One name per blob, so a builder that counts a name once per op gets the total.
  auto g = OpRegistry::instance().gradient(makeOp("Mul", {"X", "X"}, {"Y"}), {"Y_grad"});
  CHECK(g.inputs.size() == 2 && g.inputs[0].dense == "X_grad" && g.inputs[1].dense == "X_grad");
  CHECK(g.ops.back().type == "Sum" && g.ops.back().outputs == std::vector<std::string>{"X_grad"});
}

TEST(arithmetic_gradient_ops_check_shapes) {
  Workspace ws;
  feed(ws, "dC", d({2, 2}, 1));
  feed(ws, "A", d({2, 3}, 2));
  feed(ws, "B", d({3}, 3));
  CHECK_THROWS_CODE(run(ws, makeOp("AddGradient", {"dC", "A", "B"}, {"dA", "dB"})), codes::kShapeMismatch);
  feed(ws, "Ai", DType::Int32, {2, 2}, {1, 2, 3, 4});
  CHECK_THROWS_CODE(run(ws, makeOp("MulGradient", {"dC", "Ai", "Ai"}, {"dA", "dB"})), codes::kDtypeMismatch);
  // An in-place Mul lost the value its gradient needs; an in-place Div over B too.
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("Mul", {"A", "B"}, {"A"}), {"A_grad"}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("Div", {"A", "B"}, {"B"}), {"B_grad"}), codes::kInvalidArgument);
  CHECK(OpRegistry::instance().gradient(makeOp("Add", {"A", "B"}, {"C"}), {""}).ops.empty());
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("EQ", {"A", "B"}, {"C"}), {"C_grad"}), codes::kInvalidArgument);
}

TEST(sum_reduce_like) {
  Workspace ws;
  feed(ws, "a", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "b", DType::Float32, {3}, {0, 0, 0});
  feed(ws, "c", DType::Float32, {2, 1}, {0, 0});
  run(ws, {makeOp("SumReduceLike", {"a", "b"}, {"rb"}), makeOp("SumReduceLike", {"a", "c"}, {"rc"})});
  CHECK(shapeOf(ws, "rb") == (Shape{3}));
  CHECK_VALUES(ws, "rb", {5, 7, 9});
  CHECK(shapeOf(ws, "rc") == (Shape{2, 1}));
  CHECK_VALUES(ws, "rc", {6, 15});
  CHECK_THROWS_CODE(run(ws, makeOp("SumReduceLike", {"b", "a"}, {"o"})), codes::kShapeMismatch);
}

TEST(sum_scale_weighted_sum_gradients) {
  checkGradient(makeOp("Sum", {"A", "B", "C"}, {"Y"}), {{"A", d({2, 3}, 1)}, {"B", d({2, 3}, 2)}, {"C", d({2, 3}, 3)}},
                {"A", "B", "C"});
  checkGradient(makeOp("Scale", {"X"}, {"Y"}, {{"scale", F(-2.5)}}), {{"X", d({4}, 1)}}, {"X"});
  checkGradient(makeOp("Scale", {"X"}, {"X"}, {{"scale", F(3)}}), {{"X", d({4}, 1)}}, {"X"});
  auto ws = makeOp("WeightedSum", {"X0", "w0", "X1", "w1"}, {"Y"}, {{"grad_on_w", I(1)}});
  checkGradient(ws, {{"X0", d({2, 3}, 1)}, {"w0", d({1}, 2)}, {"X1", d({2, 3}, 3)}, {"w1", d({}, 4)}}, {"X0", "w0", "X1", "w1"});
  auto inPlace = makeOp("WeightedSum", {"X0", "w0", "X1", "w1"}, {"X0"});
  checkGradient(inPlace, {{"X0", d({3}, 1)}, {"w0", d({1}, 2)}, {"X1", d({3}, 3)}, {"w1", d({1}, 4)}}, {"X0", "X1"});
  inPlace.args["grad_on_w"] = I(1);
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(inPlace, {"X0_grad"}), codes::kInvalidArgument);
}

TEST(pruned_gradients_skip_unwanted_inputs) {
  const OpRegistry& reg = OpRegistry::instance();
  // FC over a data input: FCGradient without dX (one GEMM less), X's spec none.
  auto fc = reg.gradient(makeOp("FC", {"X", "W", "b"}, {"Y"}), {"Y_grad"}, {false, true, true});
  CHECK(fc.ops.size() == 1 && fc.ops[0].outputs == (std::vector<std::string>{"W_grad", "b_grad"}));
  CHECK(fc.inputs[0].kind == GradientSpec::Kind::None && fc.inputs[1].dense == "W_grad");
  auto full = reg.gradient(makeOp("FC", {"X", "W", "b"}, {"Y"}), {"Y_grad"});
  CHECK(full.ops[0].outputs.size() == 3 && full.inputs[0].dense == "X_grad");
  // A maker that is not told (Mul: one op writes both) keeps the op but drops the spec.
  auto mul = reg.gradient(makeOp("Mul", {"A", "B"}, {"C"}), {"C_grad"}, {true, false});
  CHECK(mul.ops.size() == 1 && mul.inputs[0].dense == "A_grad" && mul.inputs[1].kind == GradientSpec::Kind::None);
  // Nothing wanted: the generic pass drops every op.
  CHECK(reg.gradient(makeOp("Mul", {"A", "B"}, {"C"}), {"C_grad"}, {false, false}).ops.empty());
  // The same input twice: its Sum survives only while the input is wanted.
  auto twice = reg.gradient(makeOp("Mul", {"X", "X"}, {"Y"}), {"Y_grad"}, {true, true});
  CHECK(twice.ops.back().type == "Sum");
  CHECK_THROWS_CODE(reg.gradient(makeOp("FC", {"X", "W", "b"}, {"Y"}), {"Y_grad"}, {true}), codes::kInvalidArgument);
}

TEST(clip_copy_gradients) {
  // Values stay clear of the bounds, where the derivative jumps.
  Tensor x = make(DType::Float64, {6}, {-3, -0.7, -0.2, 0.3, 0.8, 3});
  checkGradient(makeOp("Clip", {"X"}, {"Y"}, {{"min", F(-1)}, {"max", F(1)}}), {{"X", x}}, {"X"});
  checkGradient(makeOp("Clip", {"X"}, {"X"}, {{"min", F(-0.5)}, {"max", F(0.5)}}), {{"X", x}}, {"X"});
  checkGradient(makeOp("Copy", {"X"}, {"Y"}), {{"X", x}}, {"X"});
  Workspace ws;
  feed(ws, "Y", DType::Float32, {3}, {-1, 0, 1});
  feed(ws, "dY", DType::Float32, {3}, {5, 6, 7});
  run(ws, makeOp("ClipGradient", {"Y", "dY"}, {"dX"}, {{"min", F(-1)}, {"max", F(1)}}));
  CHECK_VALUES(ws, "dX", {0, 6, 0});
}

TEST(cast_gradient_needs_from_type) {
  auto g = OpRegistry::instance().gradient(makeOp("Cast", {"X"}, {"Y"}, {{"to", Argument::ofString("float64")}, {"from_type", Argument::ofString("float32")}}), {"Y_grad"});
  CHECK(g.ops.size() == 1 && g.ops[0].type == "Cast" && g.ops[0].args.at("to").s == "float32");
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("Cast", {"X"}, {"Y"}, {{"to", I(1)}}), {"Y_grad"}), codes::kInvalidArgument);
  checkGradient(makeOp("Cast", {"X"}, {"Y"}, {{"to", I(13)}, {"from_type", I(13)}}), {{"X", d({3}, 1)}}, {"X"});
}

TEST(reshape_transpose_gradients) {
  checkGradient(makeOp("Reshape", {"X"}, {"Y", "old"}, {{"shape", Is({3, -1})}}), {{"X", d({2, 3, 2}, 1)}}, {"X"});
  checkGradient(makeOp("Reshape", {"X"}, {"X", "old"}, {{"shape", Is({-1})}}), {{"X", d({2, 3}, 1)}}, {"X"});
  checkGradient(makeOp("Reshape", {"X"}, {"Y", "old"}, {{"shape", Is({0, 0})}}), {{"X", d({0, 3}, 1)}}, {"X"});
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("Reshape", {"X"}, {"Y"}, {{"shape", Is({-1})}}), {"Y_grad"}),
                    codes::kInvalidArgument);
  checkGradient(makeOp("Transpose", {"X"}, {"Y"}), {{"X", d({2, 3, 4}, 1)}}, {"X"});
  checkGradient(makeOp("Transpose", {"X"}, {"Y"}, {{"axes", Is({1, 2, 0})}}), {{"X", d({2, 3, 4}, 1)}}, {"X"});
}

TEST(concat_split_gradients) {
  checkGradient(makeOp("Concat", {"A", "B"}, {"Y", "info"}), {{"A", d({2, 2}, 1)}, {"B", d({2, 3}, 2)}}, {"A", "B"});
  checkGradient(makeOp("Concat", {"A", "B"}, {"Y", "info"}, {{"axis", I(0)}, {"add_axis", I(1)}}),
                {{"A", d({2, 2}, 1)}, {"B", d({2, 2}, 2)}}, {"A", "B"});
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("Concat", {"A", "B"}, {"Y"}), {"Y_grad"}), codes::kInvalidArgument);
  checkGradient(makeOp("Split", {"X"}, {"P", "Q"}, {{"axis", I(0)}, {"split", Is({1, 2})}}), {{"X", d({3, 2}, 1)}}, {"X"});
  checkGradient(makeOp("Split", {"X"}, {"P", "Q", "R"}, {{"axis", I(-1)}}), {{"X", d({2, 3}, 1)}}, {"X"}, 1e-6, {"Q"});
  checkGradient(makeOp("Split", {"X"}, {"P", "Q"}, {{"axis", I(1)}, {"add_axis", I(1)}}), {{"X", d({3, 2, 2}, 1)}}, {"X"});
}

TEST(reduce_gradients) {
  for (const char* type : {"ReduceSum", "ReduceMean"}) {
    checkGradient(makeOp(type, {"X"}, {"Y"}), {{"X", d({2, 3}, 1)}}, {"X"});
    checkGradient(makeOp(type, {"X"}, {"Y"}, {{"axes", Is({1})}, {"keepdims", I(0)}}), {{"X", d({2, 3, 2}, 1)}}, {"X"});
    checkGradient(makeOp(type, {"X"}, {"Y"}, {{"axes", Is({0, 2})}}), {{"X", d({2, 3, 2}, 1)}}, {"X"});
  }
  Workspace ws;
  feed(ws, "dY", d({3}, 1));
  feed(ws, "X", d({2, 3}, 2));
  CHECK_THROWS_CODE(run(ws, makeOp("ReduceSumGradient", {"dY", "X"}, {"dX"}, {{"axes", Is({1})}})), codes::kShapeMismatch);
}

HWTEST_MAIN()
