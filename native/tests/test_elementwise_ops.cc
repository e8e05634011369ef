// Elementwise arithmetic with broadcasting, logic and comparisons, Cast,
// Scale, Sum, WeightedSum and Clip: values pinned by hand, and bad input.
#include <cmath>
#include <limits>

#include "op_test_util.h"

using namespace hwtest;

namespace {
Argument I(int64_t v) { return Argument::ofInt(v); }
Argument F(double v) { return Argument::ofFloat(v); }
Argument S(const char* v) { return Argument::ofString(v); }
}  // namespace

TEST(add_broadcasts_like_numpy) {
  Workspace ws;
  feed(ws, "a23", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "b3", DType::Float32, {3}, {10, 20, 30});
  feed(ws, "c21", DType::Float32, {2, 1}, {1, 2});
  feed(ws, "d13", DType::Float32, {1, 3}, {10, 20, 30});
  feed(ws, "s", DType::Float32, {}, {100});
  run(ws, {makeOp("Add", {"a23", "b3"}, {"r1"}), makeOp("Add", {"c21", "d13"}, {"r2"}),
           makeOp("Add", {"s", "a23"}, {"r3"}), makeOp("Add", {"s", "s"}, {"r4"}),
           makeOp("Sub", {"b3", "a23"}, {"r5"}), makeOp("Mul", {"c21", "b3"}, {"r6"}),
           makeOp("Div", {"a23", "c21"}, {"r7"})});
  CHECK(shapeOf(ws, "r1") == (Shape{2, 3}));
  CHECK_VALUES(ws, "r1", {11, 22, 33, 14, 25, 36});
  CHECK(shapeOf(ws, "r2") == (Shape{2, 3}));
  CHECK_VALUES(ws, "r2", {11, 21, 31, 12, 22, 32});
  CHECK_VALUES(ws, "r3", {101, 102, 103, 104, 105, 106});
  CHECK(shapeOf(ws, "r4").empty());
  CHECK_VALUES(ws, "r4", {200});
  CHECK_VALUES(ws, "r5", {9, 18, 27, 6, 15, 24});
  CHECK_VALUES(ws, "r6", {10, 20, 30, 20, 40, 60});
  CHECK_VALUES(ws, "r7", {1, 2, 3, 2, 2.5, 3});
}

TEST(broadcast_middle_and_inner_dims) {
  Workspace ws;
  feed(ws, "a", DType::Float64, {2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  feed(ws, "b", DType::Float64, {3, 1}, {100, 200, 300});
  feed(ws, "c", DType::Float64, {2, 1, 2}, {1000, 2000, 3000, 4000});
  run(ws, {makeOp("Add", {"a", "b"}, {"r1"}), makeOp("Add", {"b", "c"}, {"r2"})});
  CHECK_VALUES(ws, "r1", {100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311});
  CHECK(shapeOf(ws, "r2") == (Shape{2, 3, 2}));
  CHECK_VALUES(ws, "r2", {1100, 2100, 1200, 2200, 1300, 2300, 3100, 4100, 3200, 4200, 3300, 4300});
}

TEST(legacy_broadcast_axis) {
  Workspace ws;
  feed(ws, "a", DType::Float32, {2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  feed(ws, "b", DType::Float32, {3}, {100, 200, 300});
  run(ws, makeOp("Add", {"a", "b"}, {"r"}, {{"broadcast", I(1)}, {"axis", I(1)}}));
  CHECK_VALUES(ws, "r", {100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311});
  feed(ws, "b2", DType::Float32, {2}, {10, 20});
  run(ws, makeOp("Mul", {"a", "b2"}, {"r2"}, {{"broadcast", I(1)}}));
  CHECK_VALUES(ws, "r2", {0, 20, 20, 60, 40, 100, 60, 140, 80, 180, 100, 220});
  CHECK_THROWS_CODE(run(ws, makeOp("Add", {"a", "b"}, {"r"}, {{"broadcast", I(1)}})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("Add", {"b", "a"}, {"r"}, {{"broadcast", I(1)}})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("Add", {"a", "b"}, {"r"}, {{"axis", I(1)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Add", {"a", "b"}, {"r"}, {{"broadcast", I(2)}})), codes::kInvalidArgument);
}

TEST(arithmetic_in_place) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {2, 2}, {1, 2, 3, 4});
  feed(ws, "v", DType::Float32, {2}, {10, 20});
  run(ws, {makeOp("Add", {"x", "v"}, {"x"}), makeOp("Mul", {"x", "x"}, {"x"})});
  CHECK_VALUES(ws, "x", {121, 484, 169, 576});
  // The result is [2, 2]: it cannot be written over the [2] input.
  CHECK_THROWS_CODE(run(ws, makeOp("Add", {"x", "v"}, {"v"})), codes::kShapeMismatch);
}

TEST(integer_arithmetic_wraps_and_truncates) {
  Workspace ws;
  const double big = 2147483647.0;
  feed(ws, "a", DType::Int32, {4}, {big, -7, 7, -2147483648.0});
  feed(ws, "b", DType::Int32, {4}, {1, 2, -2, -1});
  run(ws, {makeOp("Add", {"a", "b"}, {"sum"}), makeOp("Div", {"a", "b"}, {"q"}), makeOp("Mul", {"a", "b"}, {"p"})});
  CHECK(dtypeOf(ws, "sum") == DType::Int32);
  CHECK_VALUES(ws, "sum", {-2147483648.0, -5, 5, 2147483647.0});
  CHECK_VALUES(ws, "q", {big, -3, -3, -2147483648.0});
  CHECK_VALUES(ws, "p", {big, -14, -14, -2147483648.0});
  feed(ws, "z", DType::Int64, {2}, {1, 0});
  feed(ws, "n", DType::Int64, {2}, {5, 5});
  CHECK_THROWS_CODE(run(ws, makeOp("Div", {"n", "z"}, {"q2"})), codes::kInvalidArgument);
  feed(ws, "fz", DType::Float32, {2}, {1, 0});
  feed(ws, "fn", DType::Float32, {2}, {5, 5});
  run(ws, makeOp("Div", {"fn", "fz"}, {"q3"}));
  CHECK(std::isinf(read(ws, "q3")[1]));
}

TEST(arithmetic_bad_input) {
  Workspace ws;
  feed(ws, "f", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "d", DType::Float64, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "f4", DType::Float32, {4}, {1, 2, 3, 4});
  feed(ws, "flag", DType::Bool, {2, 3}, {1, 0, 1, 0, 1, 0});
  // Inputs already present are checked when the net is instantiated.
  CHECK_THROWS_CODE(build(ws, {makeOp("Add", {"f", "d"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Mul", {"f", "f4"}, {"o"})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Sub", {"flag", "flag"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Add", {"f"}, {"o"})}), codes::kInvalidArgument);
  // ...and again at run time, when an earlier op changed them.
  auto net = build(ws, {makeOp("Copy", {"d"}, {"late"}), makeOp("Add", {"f", "late"}, {"o"})});
  RunContext ctx;
  CHECK_THROWS_CODE(net->run(ctx), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("Add", {"f", "missing"}, {"o"})), codes::kMissingBlob);
}

TEST(logic_ops) {
  Workspace ws;
  feed(ws, "a", DType::Bool, {2, 2}, {1, 1, 0, 0});
  feed(ws, "b", DType::Bool, {2}, {1, 0});
  run(ws, {makeOp("And", {"a", "b"}, {"and"}), makeOp("Or", {"a", "b"}, {"or"}), makeOp("Xor", {"a", "b"}, {"xor"}),
           makeOp("Not", {"a"}, {"not"}), makeOp("EQ", {"a", "b"}, {"eq"})});
  CHECK(dtypeOf(ws, "and") == DType::Bool && shapeOf(ws, "and") == (Shape{2, 2}));
  CHECK_VALUES(ws, "and", {1, 0, 0, 0});
  CHECK_VALUES(ws, "or", {1, 1, 1, 0});
  CHECK_VALUES(ws, "xor", {0, 1, 1, 0});
  CHECK_VALUES(ws, "not", {0, 0, 1, 1});
  CHECK_VALUES(ws, "eq", {1, 0, 0, 1});
  run(ws, makeOp("Not", {"a"}, {"a"}));
  CHECK_VALUES(ws, "a", {0, 0, 1, 1});
  feed(ws, "f", DType::Float32, {2}, {1, 0});
  CHECK_THROWS_CODE(build(ws, {makeOp("And", {"f", "b"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Not", {"f"}, {"o"})}), codes::kDtypeMismatch);
}

TEST(comparisons_broadcast_with_bool_output) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "t", DType::Float32, {}, {3});
  feed(ws, "row", DType::Float32, {3}, {1, 5, 6});
  run(ws, {makeOp("GE", {"x", "t"}, {"ge"}), makeOp("GT", {"x", "t"}, {"gt"}), makeOp("LE", {"x", "t"}, {"le"}),
           makeOp("LT", {"x", "t"}, {"lt"}), makeOp("EQ", {"x", "row"}, {"eq"}), makeOp("NE", {"x", "row"}, {"ne"})});
  CHECK(dtypeOf(ws, "ge") == DType::Bool);
  CHECK_VALUES(ws, "ge", {0, 0, 1, 1, 1, 1});
  CHECK_VALUES(ws, "gt", {0, 0, 0, 1, 1, 1});
  CHECK_VALUES(ws, "le", {1, 1, 1, 0, 0, 0});
  CHECK_VALUES(ws, "lt", {1, 1, 0, 0, 0, 0});
  CHECK_VALUES(ws, "eq", {1, 0, 0, 0, 1, 1});
  CHECK_VALUES(ws, "ne", {0, 1, 1, 1, 0, 0});
  feed(ws, "i", DType::Int64, {3}, {1, 5, 6});
  CHECK_THROWS_CODE(build(ws, {makeOp("EQ", {"x", "i"}, {"o"})}), codes::kDtypeMismatch);
  feed(ws, "r2", DType::Float32, {2}, {1, 2});
  CHECK_THROWS_CODE(build(ws, {makeOp("LT", {"x", "r2"}, {"o"})}), codes::kShapeMismatch);
  // A bool result cannot overwrite a float input in place.
  CHECK_THROWS_CODE(run(ws, makeOp("LT", {"x", "x"}, {"x"})), codes::kInvalidArgument);
}

TEST(cast) {
  Workspace ws;
  feed(ws, "f", DType::Float32, {4}, {1.9, -1.9, 0, 300});
  run(ws, {makeOp("Cast", {"f"}, {"i"}, {{"to", S("int32")}}), makeOp("Cast", {"f"}, {"b"}, {{"to", S("BOOL")}}),
           makeOp("Cast", {"f"}, {"d"}, {{"to", I(13)}}), makeOp("Cast", {"b"}, {"bf"}, {{"to", S("float")}}),
           makeOp("Cast", {"i"}, {"u"}, {{"to", S("uint8")}})});
  CHECK(dtypeOf(ws, "i") == DType::Int32);
  CHECK_VALUES(ws, "i", {1, -1, 0, 300});
  CHECK(dtypeOf(ws, "b") == DType::Bool);
  CHECK_VALUES(ws, "b", {1, 1, 0, 1});
  CHECK(dtypeOf(ws, "d") == DType::Float64);
  CHECK_VALUES(ws, "bf", {1, 1, 0, 1});
  CHECK_VALUES(ws, "u", {1, 255, 0, 44});  // integer narrowing wraps
  run(ws, makeOp("Cast", {"f"}, {"f"}, {{"to", S("int64")}}));
  CHECK(dtypeOf(ws, "f") == DType::Int64);
  CHECK_VALUES(ws, "f", {1, -1, 0, 300});
  feed(ws, "nan", DType::Float64, {2}, {1, std::nan("")});
  feed(ws, "huge", DType::Float64, {1}, {3e9});
  CHECK_THROWS_CODE(run(ws, makeOp("Cast", {"nan"}, {"o"}, {{"to", S("int64")}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Cast", {"huge"}, {"o"}, {{"to", S("int32")}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Cast", {"huge"}, {"o"}, {{"to", S("float16")}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Cast", {"huge"}, {"o"}, {{"to", I(4)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Cast", {"huge"}, {"o"})), codes::kInvalidArgument);
}

TEST(scale_sum_weighted_sum) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {3}, {1, 2, 3});
  feed(ws, "y", DType::Float32, {3}, {10, 20, 30});
  feed(ws, "w1", DType::Float32, {1}, {2});
  feed(ws, "w2", DType::Float64, {}, {-1});
  run(ws, {makeOp("Scale", {"x"}, {"s"}, {{"scale", F(0.5)}}), makeOp("Sum", {"x", "y", "x"}, {"sum"}),
           makeOp("WeightedSum", {"x", "w1", "y", "w2"}, {"ws"})});
  CHECK_VALUES(ws, "s", {0.5, 1, 1.5});
  CHECK_VALUES(ws, "sum", {12, 24, 36});
  CHECK_VALUES(ws, "ws", {-8, -16, -24});
  run(ws, {makeOp("Sum", {"x", "y"}, {"y"}), makeOp("WeightedSum", {"x", "w1", "y", "w1"}, {"x"})});
  CHECK_VALUES(ws, "y", {11, 22, 33});
  CHECK_VALUES(ws, "x", {24, 48, 72});
  feed(ws, "z", DType::Float32, {3}, {1, 1, 1});
  run(ws, makeOp("Sum", {"z", "z", "z"}, {"z"}));
  CHECK_VALUES(ws, "z", {3, 3, 3});
  Tensor n(DType::Int64, {2});
  n.data<int64_t>()[0] = std::numeric_limits<int64_t>::max();
  n.data<int64_t>()[1] = 1;
  feed(ws, "n", n);
  run(ws, makeOp("Sum", {"n", "n"}, {"n2"}));
  CHECK(tensor(ws, "n2").data<int64_t>()[0] == -2);  // wraps, as numpy does

  feed(ws, "x2", DType::Float32, {2}, {1, 2});
  feed(ws, "xi", DType::Int32, {3}, {1, 2, 3});
  feed(ws, "wv", DType::Float32, {2}, {1, 2});
  CHECK_THROWS_CODE(build(ws, {makeOp("Sum", {"x", "x2"}, {"o"})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Sum", {"x", "xi"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("WeightedSum", {"x", "w1", "y"}, {"o"})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("WeightedSum", {"x", "w1", "y", "w1"}, {"y"})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("WeightedSum", {"x", "wv", "y", "w1"}, {"o"})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("WeightedSum", {"x", "w1", "x2", "w1"}, {"o"})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("WeightedSum", {"xi", "w1"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Scale", {"xi"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Scale", {"x"}, {"o"}, {{"scale", F(std::nan(""))}})}), codes::kInvalidArgument);
}

TEST(clip) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {5}, {-5, -1, 0, 1, 5});
  run(ws, {makeOp("Clip", {"x"}, {"y"}, {{"min", F(-2)}, {"max", F(2)}}), makeOp("Clip", {"x"}, {"lo"}, {{"min", F(0)}})});
  CHECK_VALUES(ws, "y", {-2, -1, 0, 1, 2});
  CHECK_VALUES(ws, "lo", {0, 0, 0, 1, 5});
  run(ws, makeOp("Clip", {"x"}, {"x"}, {{"max", I(0)}}));
  CHECK_VALUES(ws, "x", {-5, -1, 0, 0, 0});
  CHECK_THROWS_CODE(build(ws, {makeOp("Clip", {"x"}, {"y"}, {{"min", F(1)}, {"max", F(0)}})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("Clip", {"x"}, {"y"}, {{"min", F(std::nan(""))}})}), codes::kInvalidArgument);
  feed(ws, "i", DType::Int32, {1}, {1});
  CHECK_THROWS_CODE(build(ws, {makeOp("Clip", {"i"}, {"y"})}), codes::kDtypeMismatch);
}

HWTEST_MAIN()
