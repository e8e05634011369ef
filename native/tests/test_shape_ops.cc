// Reshape, Transpose, Concat/Split and ReduceSum/ReduceMean: values and shapes
// pinned by hand, and bad input.
#include "op_test_util.h"

using namespace hwtest;

namespace {
Argument I(int64_t v) { return Argument::ofInt(v); }
Argument Is(std::vector<int64_t> v) { return Argument::ofInts(std::move(v)); }
}  // namespace

TEST(reshape_infers_and_copies_dims) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {2, 3, 4}, std::vector<double>(24, 1));
  feed(ws, "target", DType::Int64, {2}, {-1, 6});
  run(ws, {makeOp("Reshape", {"x"}, {"a", "old"}, {{"shape", Is({0, -1})}}), makeOp("Reshape", {"x"}, {"b"}, {{"shape", Is({4, 0, 2})}}),
           makeOp("Reshape", {"x", "target"}, {"c"}), makeOp("Reshape", {"x"}, {"d"}, {{"shape", Is({-1})}})});
  CHECK(shapeOf(ws, "a") == (Shape{2, 12}));
  CHECK(dtypeOf(ws, "old") == DType::Int64);
  CHECK_VALUES(ws, "old", {2, 3, 4});
  CHECK(shapeOf(ws, "b") == (Shape{4, 3, 2}));
  CHECK(shapeOf(ws, "c") == (Shape{4, 6}));
  CHECK(shapeOf(ws, "d") == (Shape{24}));
  CHECK(shapeOf(ws, "x") == (Shape{2, 3, 4}));
  run(ws, makeOp("Reshape", {"x"}, {"x"}, {{"shape", Is({6, 4})}}));
  CHECK(shapeOf(ws, "x") == (Shape{6, 4}));
  feed(ws, "empty", DType::Float32, {0, 3}, {});
  run(ws, makeOp("Reshape", {"empty"}, {"e"}, {{"shape", Is({3, 0})}, {"allow_zero", I(1)}}));
  CHECK(shapeOf(ws, "e") == (Shape{3, 0}));
}

TEST(reshape_bad_input) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "fshape", DType::Float32, {1}, {6});
  feed(ws, "s", DType::Int64, {1}, {6});
  auto reshape = [&](std::vector<int64_t> shape) { run(ws, makeOp("Reshape", {"x"}, {"o"}, {{"shape", Is(std::move(shape))}})); };
  CHECK_THROWS_CODE(reshape({-1, -1}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reshape({4, -1}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reshape({5}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(reshape({-2, 3}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(reshape({1, 2, 0}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("Reshape", {"x"}, {"o"})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Reshape", {"x", "s"}, {"o"}, {{"shape", Is({6})}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Reshape", {"x", "fshape"}, {"o"})), codes::kDtypeMismatch);
}

TEST(transpose) {
  Workspace ws;
  feed(ws, "x", DType::Int64, {2, 3}, {1, 2, 3, 4, 5, 6});
  feed(ws, "y", DType::Float32, {2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  run(ws, {makeOp("Transpose", {"x"}, {"xt"}), makeOp("Transpose", {"y"}, {"yt"}, {{"axes", Is({1, 0, 2})}}),
           makeOp("Transpose", {"y"}, {"yr"})});
  CHECK(shapeOf(ws, "xt") == (Shape{3, 2}));
  CHECK_VALUES(ws, "xt", {1, 4, 2, 5, 3, 6});
  CHECK(shapeOf(ws, "yt") == (Shape{3, 2, 2}));
  CHECK_VALUES(ws, "yt", {0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11});
  CHECK(shapeOf(ws, "yr") == (Shape{2, 3, 2}));
  CHECK_VALUES(ws, "yr", {0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11});
  CHECK_THROWS_CODE(run(ws, makeOp("Transpose", {"y"}, {"o"}, {{"axes", Is({0, 0, 1})}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Transpose", {"y"}, {"o"}, {{"axes", Is({1, 0})}})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("Transpose", {"y"}, {"y"})), codes::kInvalidArgument);
}

TEST(concat_and_split) {
  Workspace ws;
  feed(ws, "a", DType::Float32, {2, 2}, {1, 2, 3, 4});
  feed(ws, "b", DType::Float32, {2, 1}, {5, 6});
  feed(ws, "c", DType::Float32, {1, 2}, {7, 8});
  run(ws, {makeOp("Concat", {"a", "b"}, {"ab", "info"}), makeOp("Concat", {"a", "c"}, {"ac"}, {{"axis", I(0)}}),
           makeOp("Concat", {"a", "a"}, {"stack"}, {{"axis", I(0)}, {"add_axis", I(1)}}),
           makeOp("Split", {"ab", "info"}, {"a2", "b2"}), makeOp("Split", {"ac"}, {"s0", "s1", "s2"}, {{"axis", I(0)}}),
           makeOp("Split", {"ac"}, {"p0", "p1"}, {{"axis", I(0)}, {"split", Is({1, 2})}}),
           makeOp("Split", {"stack"}, {"u0", "u1"}, {{"axis", I(0)}, {"add_axis", I(1)}})});
  CHECK(shapeOf(ws, "ab") == (Shape{2, 3}));
  CHECK_VALUES(ws, "ab", {1, 2, 5, 3, 4, 6});
  CHECK(dtypeOf(ws, "info") == DType::Int32);
  CHECK_VALUES(ws, "info", {2, 1});
  CHECK(shapeOf(ws, "ac") == (Shape{3, 2}));
  CHECK_VALUES(ws, "ac", {1, 2, 3, 4, 7, 8});
  CHECK(shapeOf(ws, "stack") == (Shape{2, 2, 2}));
  CHECK_VALUES(ws, "a2", {1, 2, 3, 4});
  CHECK_VALUES(ws, "b2", {5, 6});
  CHECK(shapeOf(ws, "s2") == (Shape{1, 2}));
  CHECK_VALUES(ws, "s1", {3, 4});
  CHECK_VALUES(ws, "p1", {3, 4, 7, 8});
  CHECK(shapeOf(ws, "u1") == (Shape{2, 2}));
  CHECK_VALUES(ws, "u1", {1, 2, 3, 4});
  feed(ws, "i", DType::Int32, {2, 2}, {1, 2, 3, 4});
  run(ws, makeOp("Concat", {"i", "i"}, {"ii"}, {{"axis", I(-1)}}));
  CHECK_VALUES(ws, "ii", {1, 2, 1, 2, 3, 4, 3, 4});
}

TEST(concat_split_bad_input) {
  Workspace ws;
  feed(ws, "a", DType::Float32, {2, 2}, {1, 2, 3, 4});
  feed(ws, "c", DType::Float32, {1, 2}, {7, 8});
  feed(ws, "d", DType::Float64, {2, 2}, {1, 2, 3, 4});
  feed(ws, "v", DType::Float32, {4}, {1, 2, 3, 4});
  CHECK_THROWS_CODE(build(ws, {makeOp("Concat", {"a", "c"}, {"o"})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Concat", {"a", "d"}, {"o"})}), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Concat", {"a", "v"}, {"o"}, {{"axis", I(0)}})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Concat", {"a", "a"}, {"o"}, {{"axis", I(2)}})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("Concat", {"a", "c"}, {"a"}, {{"axis", I(0)}})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("Split", {"v"}, {"o1", "o2", "o3"}, {{"axis", I(0)}})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Split", {"v"}, {"o1", "o2"}, {{"axis", I(0)}, {"split", Is({1, 2})}})}), codes::kShapeMismatch);
  CHECK_THROWS_CODE(build(ws, {makeOp("Split", {"v"}, {"o1", "o2"}, {{"axis", I(0)}, {"split", Is({4})}})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("Split", {"v"}, {"o1", "o2"}, {{"axis", I(0)}, {"split", Is({5, -1})}})}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(build(ws, {makeOp("Split", {"v"}, {"o1", "o2"})}), codes::kInvalidArgument);  // axis 1 of a 1-D input
  CHECK_THROWS_CODE(build(ws, {makeOp("Split", {"v", "d"}, {"o1", "o2"}, {{"axis", I(0)}})}), codes::kDtypeMismatch);
}

TEST(reduce_sum_and_mean) {
  Workspace ws;
  feed(ws, "x", DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  run(ws, {makeOp("ReduceSum", {"x"}, {"all"}), makeOp("ReduceSum", {"x"}, {"rows"}, {{"axes", Is({1})}, {"keepdims", I(0)}}),
           makeOp("ReduceMean", {"x"}, {"cols"}, {{"axes", Is({-2})}}),
           makeOp("ReduceMean", {"x"}, {"mean"}, {{"axes", Is({0, 1})}, {"keepdims", I(0)}})});
  CHECK(shapeOf(ws, "all") == (Shape{1, 1}));
  CHECK_VALUES(ws, "all", {21});
  CHECK(shapeOf(ws, "rows") == (Shape{2}));
  CHECK_VALUES(ws, "rows", {6, 15});
  CHECK(shapeOf(ws, "cols") == (Shape{1, 3}));
  CHECK_VALUES(ws, "cols", {2.5, 3.5, 4.5});
  CHECK(shapeOf(ws, "mean").empty());
  CHECK_VALUES(ws, "mean", {3.5});
  CHECK_THROWS_CODE(run(ws, makeOp("ReduceSum", {"x"}, {"o"}, {{"axes", Is({2})}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("ReduceSum", {"x"}, {"o"}, {{"axes", Is({1, -1})}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("ReduceSum", {"x"}, {"o"}, {{"keepdims", I(3)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("ReduceSum", {"x"}, {"x"})), codes::kInvalidArgument);
  feed(ws, "i", DType::Int32, {2}, {1, 2});
  CHECK_THROWS_CODE(build(ws, {makeOp("ReduceMean", {"i"}, {"o"})}), codes::kDtypeMismatch);
}

HWTEST_MAIN()
