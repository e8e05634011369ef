// Sparse ops (docs/caffe2.md §11): values pinned by hand, gradients against central finite
// differences, and every kind of bad input (dtype, rank, dims, indices, lengths, aliasing).
#include <cmath>
#include <limits>

#include "check.h"
#include "sparse_test_util.h"

using namespace hogwild;
using namespace sparsetest;

namespace {

Argument I(int64_t v) { return Argument::ofInt(v); }

// DATA: 5 rows of 2: row r = [r, 10 r].
void feedTable(Workspace& ws, const std::string& name = "emb") {
  feedF(ws, name, {5, 2}, {0, 0, 1, 10, 2, 20, 3, 30, 4, 40});
}

}  // namespace

// ---- forward values ----

TEST(sparse_lengths_sum_mean_with_empty_segments) {
  Workspace ws;
  feedTable(ws);
  feed<int32_t>(ws, "ids", {6}, {4, 1, 1, 0, 3, 2});
  feed<int32_t>(ws, "len", {4}, {2, 0, 3, 1});  // segment 1 is empty
  run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"out"}));
  CHECK((shapeOf(ws, "out") == Shape{4, 2}));
  CHECK((fetch(ws, "out") == std::vector<float>{5, 50, 0, 0, 4, 40, 2, 20}));
  run(ws, makeOp("SparseLengthsMean", {"emb", "ids", "len"}, {"mean"}));
  CHECK(allClose(fetch(ws, "mean"), {2.5f, 25, 0, 0, 4.f / 3, 40.f / 3, 2, 20}, 1e-6, "mean"));
  // All segments empty, no indices at all.
  feed<int64_t>(ws, "noIds", {0}, {});
  feed<int64_t>(ws, "zeros", {3}, {0, 0, 0});
  run(ws, makeOp("SparseLengthsMean", {"emb", "noIds", "zeros"}, {"empty"}));
  CHECK((fetch(ws, "empty") == std::vector<float>(6, 0.f)));
  // No segments.
  feed<int32_t>(ws, "noLen", {0}, {});
  run(ws, makeOp("SparseLengthsSum", {"emb", "noIds", "noLen"}, {"none"}));
  CHECK((shapeOf(ws, "none") == Shape{0, 2}));
}

TEST(zero_width_rows) {
  Workspace ws;
  feedF(ws, "emb", {5, 0}, {});
  feed<int32_t>(ws, "ids", {3}, {4, 0, 1});
  feed<int32_t>(ws, "len", {2}, {1, 2});
  run(ws, makeOp("SparseLengthsMean", {"emb", "ids", "len"}, {"out"}));
  CHECK((shapeOf(ws, "out") == Shape{2, 0}));
  feedF(ws, "h", {5}, {1, 1, 1, 1, 1});
  feedF(ws, "g", {3, 0}, {});
  feedScalar(ws, "lr", -0.1f);
  run(ws, makeOp("RowWiseSparseAdagrad", {"emb", "h", "ids", "g", "lr"}, {"emb", "h"}));
  CHECK((fetch(ws, "h") == std::vector<float>{1, 1, 1, 1, 1}));
}

TEST(sparse_lengths_weighted_sum_int64_and_3d_rows) {
  Workspace ws;
  feedF(ws, "emb", {3, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  feedF(ws, "w", {3}, {2, -1, 0.5f});
  feed<int64_t>(ws, "ids", {3}, {2, 0, 2});
  feed<int64_t>(ws, "len", {2}, {1, 2});
  run(ws, makeOp("SparseLengthsWeightedSum", {"emb", "w", "ids", "len"}, {"out"}));
  CHECK((shapeOf(ws, "out") == Shape{2, 2, 2}));
  // seg0: 2*row2 = [18,20,22,24]; seg1: -row0 + 0.5*row2 = [-1+4.5, -2+5, -3+5.5, -4+6]
  CHECK(allClose(fetch(ws, "out"), {18, 20, 22, 24, 3.5f, 3, 2.5f, 2}, 1e-6, "weighted"));
}

TEST(lengths_sum_and_mean) {
  Workspace ws;
  feedTable(ws);
  feed<int32_t>(ws, "len", {3}, {2, 0, 3});
  run(ws, makeOp("LengthsSum", {"emb", "len"}, {"s"}));
  CHECK((fetch(ws, "s") == std::vector<float>{1, 10, 0, 0, 9, 90}));
  run(ws, makeOp("LengthsMean", {"emb", "len"}, {"m"}));
  CHECK(allClose(fetch(ws, "m"), {0.5f, 5, 0, 0, 3, 30}, 1e-6, "mean"));
}

TEST(gather_axes_ranks_and_dtypes) {
  Workspace ws;
  feedTable(ws);
  feed<int32_t>(ws, "ids", {2, 2}, {4, 0, 0, 3});
  run(ws, makeOp("Gather", {"emb", "ids"}, {"g"}));
  CHECK((shapeOf(ws, "g") == Shape{2, 2, 2}));
  CHECK((fetch(ws, "g") == std::vector<float>{4, 40, 0, 0, 0, 0, 3, 30}));
  feed<int64_t>(ws, "col", {1}, {1});
  run(ws, makeOp("Gather", {"emb", "col"}, {"c"}, {{"axis", I(1)}}));
  CHECK((shapeOf(ws, "c") == Shape{5, 1}));
  CHECK((fetch(ws, "c") == std::vector<float>{0, 10, 20, 30, 40}));
  run(ws, makeOp("Gather", {"emb", "col"}, {"c2"}, {{"axis", I(-1)}}));
  CHECK((fetch(ws, "c2") == fetch(ws, "c")));
  feed<int64_t>(ws, "one", {}, {2});  // a 0-D index drops the axis
  run(ws, makeOp("Gather", {"emb", "one"}, {"row"}));
  CHECK((shapeOf(ws, "row") == Shape{2}));
  CHECK((fetch(ws, "row") == std::vector<float>{2, 20}));
  feed<int64_t>(ws, "labels", {4}, {7, 8, 9, int64_t{1} << 40});
  feed<int32_t>(ws, "pick", {3}, {3, 3, 0});
  run(ws, makeOp("Gather", {"labels", "pick"}, {"picked"}));
  CHECK((fetch<int64_t>(ws, "picked") == std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40, 7}));
  feed<bool>(ws, "flags", {3}, {true, false, true});
  feed<int32_t>(ws, "pick2", {2}, {2, 1});
  run(ws, makeOp("Gather", {"flags", "pick2"}, {"f"}, {}));
  CHECK(ws.getBlob("f").tensor("f").dtype() == DType::Bool);
  CHECK((fetch<bool>(ws, "f") == std::vector<bool>{true, false}));
}

TEST(scatter_weighted_sum_applies_duplicates_again) {
  Workspace ws;
  feedF(ws, "x0", {3, 2}, {1, 1, 2, 2, 3, 3});
  feedScalar(ws, "w0", 2);
  feed<int32_t>(ws, "ids", {3}, {1, 1, 0});
  feedF(ws, "x1", {3, 2}, {1, 0, 0, 1, 5, 5});
  feedScalar(ws, "w1", 3);
  run(ws, makeOp("ScatterWeightedSum", {"x0", "w0", "ids", "x1", "w1"}, {"x0"}));
  // row 1: 2*[2,2] + 3*[1,0] = [7,4]; again: 2*[7,4] + 3*[0,1] = [14,11]; row 0: 2*[1,1] + 3*[5,5] = [17,17]
  CHECK((fetch(ws, "x0") == std::vector<float>{17, 17, 14, 11, 3, 3}));
  // Two update inputs, w0 = 1 (Caffe2's SGD use: X0 += lr * grad rows).
  feedF(ws, "y0", {2, 3}, {0, 0, 0, 1, 1, 1});
  feedScalar(ws, "one", 1);
  feed<int64_t>(ws, "rows", {2}, {1, 0});
  feedF(ws, "a", {2, 3}, {1, 2, 3, 4, 5, 6});
  feedF(ws, "b", {2, 3}, {1, 1, 1, 1, 1, 1});
  feedScalar(ws, "wa", -0.5f);
  feedScalar(ws, "wb", 2);
  run(ws, makeOp("ScatterWeightedSum", {"y0", "one", "rows", "a", "wa", "b", "wb"}, {"y0"}));
  CHECK(allClose(fetch(ws, "y0"), {-2 + 2, -2.5f + 2, -3 + 2, 1 - 0.5f + 2, 1 - 1 + 2, 1 - 1.5f + 2}, 1e-6, "two inputs"));
}

// A per-thread replica of the table's first rows (row_replica.h): rows below its count are
// read from and written to the replica, the others to the table.
TEST(row_replica_routes_the_first_rows) {
  Workspace ws;
  feedTable(ws);                                        // row r = [r, 10 r], 5 rows
  feedF(ws, "hot", {2, 2}, {100, 200, 300, 400});       // replica of rows 0 and 1
  feed<int32_t>(ws, "ids", {5}, {4, 1, 0, 3, 1});
  feed<int32_t>(ws, "len", {2}, {3, 2});
  run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len", "hot"}, {"sum"}));
  // [4,40] + [300,400] + [100,200]; [3,30] + [300,400]
  CHECK((fetch(ws, "sum") == std::vector<float>{404, 640, 303, 430}));
  run(ws, makeOp("SparseLengthsMean", {"emb", "ids", "len", "hot"}, {"mean"}));
  CHECK(allClose(fetch(ws, "mean"), {404.f / 3, 640.f / 3, 151.5f, 215}, 1e-5, "mean"));
  feedF(ws, "wts", {5}, {1, 2, 1, 1, 0.5f});
  run(ws, makeOp("SparseLengthsWeightedSum", {"emb", "wts", "ids", "len", "hot"}, {"wsum"}));
  CHECK((fetch(ws, "wsum") == std::vector<float>{704, 1040, 153, 230}));  // 4 + 2*300 + 100, 40 + 2*400 + 200; 3 + 150, 30 + 200

  feedScalar(ws, "one", 1);
  feedF(ws, "g", {5, 2}, {1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  feedScalar(ws, "lr", -1);
  run(ws, makeOp("ScatterWeightedSum", {"emb", "one", "ids", "g", "lr", "hot"}, {"emb"}, {{"row_replica", I(1)}}));
  // Replica rows 1 (twice) and 0 moved; table rows 0 and 1 did not; rows 4 and 3 did.
  CHECK((fetch(ws, "hot") == std::vector<float>{97, 197, 293, 393}));
  CHECK((fetch(ws, "emb") == std::vector<float>{0, 0, 1, 10, 2, 20, -1, 26, 3, 39}));

  // A replica with more rows than the table, or another row shape, is refused.
  feedF(ws, "tooMany", {6, 2}, std::vector<float>(12, 0.f));
  feedF(ws, "wide", {2, 3}, std::vector<float>(6, 0.f));
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len", "tooMany"}, {"o"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len", "wide"}, {"o"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("ScatterWeightedSum", {"emb", "one", "ids", "g", "lr", "wide"}, {"emb"}, {{"row_replica", I(1)}})),
                    codes::kShapeMismatch);
  // row_replica needs the replica after the (X, W) pairs.
  CHECK_THROWS_CODE(run(ws, makeOp("ScatterWeightedSum", {"emb", "one", "ids", "g", "lr"}, {"emb"}, {{"row_replica", I(1)}})),
                    codes::kInvalidArgument);
}

TEST(scatter_assign_last_duplicate_wins) {
  Workspace ws;
  feed<int32_t>(ws, "d", {3, 2}, {0, 0, 0, 0, 0, 0});
  feed<int64_t>(ws, "ids", {3}, {2, 0, 2});
  feed<int32_t>(ws, "s", {3, 2}, {1, 2, 3, 4, 5, 6});
  run(ws, makeOp("ScatterAssign", {"d", "ids", "s"}, {"d"}));
  CHECK((fetch<int32_t>(ws, "d") == std::vector<int32_t>{3, 4, 0, 0, 5, 6}));
  feedF(ws, "f", {2, 1}, {0, 0});
  feed<int32_t>(ws, "i", {1}, {1});
  feedF(ws, "v", {1, 1}, {9});
  run(ws, makeOp("ScatterAssign", {"f", "i", "v"}, {"f"}));
  CHECK((fetch(ws, "f") == std::vector<float>{0, 9}));
}

TEST(sparse_to_dense) {
  Workspace ws;
  feed<int32_t>(ws, "ids", {3}, {2, 0, 2});
  feedF(ws, "v", {3, 2}, {1, 2, 3, 4, 5, 6});
  run(ws, makeOp("SparseToDense", {"ids", "v"}, {"d"}));
  CHECK((fetch(ws, "d") == std::vector<float>{3, 4, 0, 0, 6, 8}));
  feedF(ws, "like", {4, 2}, std::vector<float>(8, 0.f));
  run(ws, makeOp("SparseToDense", {"ids", "v", "like"}, {"d4"}));
  CHECK((shapeOf(ws, "d4") == Shape{4, 2}));
  // float64 values give a float64 output (the gradient builder densifies float64 embeddings with it).
  feed<double>(ws, "v64", {3, 2}, {1.5, 2, 3, 4, 5.25, 6});
  feed<double>(ws, "like64", {4, 2}, std::vector<double>(8, 7.0));
  run(ws, makeOp("SparseToDense", {"ids", "v64", "like64"}, {"d64"}));
  CHECK(ws.getBlob("d64").tensor("d64").dtype() == DType::Float64);
  CHECK((shapeOf(ws, "d64") == Shape{4, 2}));
  CHECK((fetch<double>(ws, "d64") == std::vector<double>{3, 4, 0, 0, 6.75, 8, 0, 0}));
  feed<int32_t>(ws, "vi", {3, 2}, {1, 2, 3, 4, 5, 6});
  CHECK_THROWS_CODE(run(ws, makeOp("SparseToDense", {"ids", "vi"}, {"o"})), codes::kDtypeMismatch);
}

// ---- gradients against finite differences ----

TEST(gradients_match_finite_differences) {
  std::mt19937 rng(11);
  Workspace ws;
  feedF(ws, "emb", {6, 3}, randomFloats(rng, 18));
  feed<int32_t>(ws, "ids", {7}, {5, 0, 5, 2, 3, 3, 1});
  feed<int64_t>(ws, "len", {4}, {3, 0, 2, 2});
  feedF(ws, "w", {7}, randomFloats(rng, 7));
  checkGradient(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"sls"}), {"emb"});
  checkGradient(ws, makeOp("SparseLengthsMean", {"emb", "ids", "len"}, {"slm"}), {"emb"});
  checkGradient(ws, makeOp("SparseLengthsWeightedSum", {"emb", "w", "ids", "len"}, {"slws"}), {"emb"});
  checkGradient(ws, makeOp("SparseLengthsWeightedSum", {"emb", "w", "ids", "len"}, {"slws2"}, {{"grad_on_weights", I(1)}}),
                {"emb", "w"});
  feed<int32_t>(ws, "rowLen", {3}, {1, 0, 5});
  checkGradient(ws, makeOp("LengthsSum", {"emb", "rowLen"}, {"ls"}), {"emb"});
  checkGradient(ws, makeOp("LengthsMean", {"emb", "rowLen"}, {"lm"}), {"emb"});
  feed<int64_t>(ws, "g2", {2, 2}, {1, 4, 4, 0});
  checkGradient(ws, makeOp("Gather", {"emb", "g2"}, {"ga"}), {"emb"});
  checkGradient(ws, makeOp("Gather", {"emb", "g2"}, {"gd"}, {{"dense_gradient", I(1)}}), {"emb"});
  feed<int32_t>(ws, "cols", {3}, {2, 2, 0});
  checkGradient(ws, makeOp("Gather", {"emb", "cols"}, {"gc"}, {{"axis", I(1)}}), {"emb"});
}

TEST(gradient_specs_are_sparse_for_embeddings) {
  auto g = OpRegistry::instance().gradient(makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"o"}), {"o_grad"});
  CHECK(g.inputs[0].kind == GradientSpec::Kind::Sparse);
  CHECK(g.inputs[0].indices == "ids" && g.inputs[0].values == "emb_grad_values");
  CHECK(g.inputs[1].kind == GradientSpec::Kind::None && g.inputs[2].kind == GradientSpec::Kind::None);
  CHECK(g.ops.size() == 1 && g.ops[0].type == "SparseLengthsSumGradient");
  auto ga = OpRegistry::instance().gradient(makeOp("Gather", {"emb", "ids"}, {"o"}), {"o_grad"});
  CHECK(ga.ops.empty() && ga.inputs[0].kind == GradientSpec::Kind::Sparse && ga.inputs[0].values == "o_grad");
  auto gl = OpRegistry::instance().gradient(makeOp("LengthsSum", {"x", "len"}, {"o"}), {"o_grad"});
  CHECK(gl.inputs[0].kind == GradientSpec::Kind::Dense && gl.inputs[0].dense == "x_grad");
  auto none = OpRegistry::instance().gradient(makeOp("SparseLengthsMean", {"emb", "ids", "len"}, {"o"}), {""});
  CHECK(none.ops.empty() && none.inputs[0].kind == GradientSpec::Kind::None);
  CHECK_THROWS_CODE(OpRegistry::instance().gradient(makeOp("ScatterAssign", {"d", "i", "s"}, {"d"}), {""}),
                    codes::kInvalidArgument);
}

// ---- bad input ----

TEST(out_of_range_and_negative_indices_name_op_position_value) {
  Workspace ws;
  feedTable(ws);
  feed<int32_t>(ws, "len", {1}, {4});
  feed<int32_t>(ws, "ids", {4}, {0, 1, 2, 5});
  std::string code;
  std::string msg = errorOf([&] { run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"o"})); }, &code);
  CHECK(code == codes::kIndexOutOfRange);
  CHECK(contains(msg, "SparseLengthsSum") && contains(msg, "position 3") && contains(msg, "received 5") &&
        contains(msg, "[0, 5)"));
  feed<int64_t>(ws, "neg", {4}, {0, -1, 2, 3});
  msg = errorOf([&] { run(ws, makeOp("SparseLengthsMean", {"emb", "neg", "len"}, {"o"})); }, &code);
  CHECK(code == codes::kIndexOutOfRange && contains(msg, "position 1") && contains(msg, "received -1"));
  feed<int64_t>(ws, "huge", {1}, {int64_t{1} << 40});
  feed<int32_t>(ws, "len1", {1}, {1});
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSum", {"emb", "huge", "len1"}, {"o"})), codes::kIndexOutOfRange);
  CHECK_THROWS_CODE(run(ws, makeOp("Gather", {"emb", "ids"}, {"o"})), codes::kIndexOutOfRange);
  CHECK_THROWS_CODE(run(ws, makeOp("Gather", {"emb", "neg"}, {"o"})), codes::kIndexOutOfRange);
  feed<int32_t>(ws, "cols", {1}, {2});
  CHECK_THROWS_CODE(run(ws, makeOp("Gather", {"emb", "cols"}, {"o"}, {{"axis", I(1)}})), codes::kIndexOutOfRange);
  feedF(ws, "like", {2, 1}, {0, 0});
  feedF(ws, "vals", {4}, {1, 2, 3, 4});
  CHECK_THROWS_CODE(run(ws, makeOp("SparseToDense", {"neg", "vals"}, {"o"})), codes::kIndexOutOfRange);
  CHECK_THROWS_CODE(run(ws, makeOp("SparseToDense", {"ids", "vals", "like"}, {"o"})), codes::kIndexOutOfRange);
}

TEST(a_bad_index_leaves_shared_rows_untouched) {
  Workspace ws;
  feedTable(ws);
  const std::vector<float> before = fetch(ws, "emb");
  feedScalar(ws, "w0", 2);
  feedScalar(ws, "w1", 1);
  feed<int32_t>(ws, "ids", {3}, {0, 1, 9});
  feedF(ws, "x1", {3, 2}, {1, 1, 1, 1, 1, 1});
  CHECK_THROWS_CODE(run(ws, makeOp("ScatterWeightedSum", {"emb", "w0", "ids", "x1", "w1"}, {"emb"})),
                    codes::kIndexOutOfRange);
  CHECK(fetch(ws, "emb") == before);  // all indices are checked before the first write
  CHECK_THROWS_CODE(run(ws, makeOp("ScatterAssign", {"emb", "ids", "x1"}, {"emb"})), codes::kIndexOutOfRange);
  CHECK(fetch(ws, "emb") == before);
}

TEST(lengths_must_sum_to_the_index_count) {
  Workspace ws;
  feedTable(ws);
  feed<int32_t>(ws, "ids", {3}, {0, 1, 2});
  feed<int32_t>(ws, "short", {2}, {1, 1});
  feed<int32_t>(ws, "long", {2}, {2, 2});
  feed<int32_t>(ws, "neg", {2}, {2, -1});
  std::string code;
  std::string msg = errorOf([&] { run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "short"}, {"o"})); }, &code);
  CHECK(code == codes::kInvalidArgument && contains(msg, "sum to 3") && contains(msg, "a sum of 2"));
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "long"}, {"o"})), codes::kInvalidArgument);
  msg = errorOf([&] { run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "neg"}, {"o"})); }, &code);
  CHECK(code == codes::kInvalidArgument && contains(msg, "non-negative length") && contains(msg, "received -1"));
  CHECK_THROWS_CODE(run(ws, makeOp("LengthsSum", {"emb", "short"}, {"o"})), codes::kInvalidArgument);  // 5 rows
  feed<int64_t>(ws, "overflow", {3}, {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(), 1});
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSum", {"emb", "ids", "overflow"}, {"o"})), codes::kInvalidArgument);
  // Gradient op: lengths must match GO's rows and be non-negative.
  feedF(ws, "go", {2, 2}, {1, 1, 1, 1});
  feed<int32_t>(ws, "len3", {3}, {1, 1, 1});
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSumGradient", {"go", "len3"}, {"gv"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(run(ws, makeOp("SparseLengthsSumGradient", {"go", "neg"}, {"gv"})), codes::kInvalidArgument);
}

TEST(wrong_dtypes_ranks_and_dims) {
  Workspace ws;
  feedTable(ws);
  feed<int32_t>(ws, "ids", {3}, {0, 1, 2});
  feed<int32_t>(ws, "len", {1}, {3});
  feedF(ws, "fids", {3}, {0, 1, 2});
  feed<int32_t>(ws, "intData", {5, 2}, std::vector<int32_t>(10, 0));
  feed<int32_t>(ws, "ids2d", {3, 1}, {0, 1, 2});
  feed<int32_t>(ws, "len2d", {1, 1}, {3});
  feedF(ws, "w2", {2}, {1, 1});
  feedF(ws, "scalarData", {}, {1});
  // Checked at instantiation, since the inputs exist already.
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"intData", "ids", "len"}, {"o"})), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"emb", "fids", "len"}, {"o"})), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"emb", "ids", "fids"}, {"o"})), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"emb", "ids2d", "len"}, {"o"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len2d"}, {"o"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"scalarData", "ids", "len"}, {"o"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsWeightedSum", {"emb", "w2", "ids", "len"}, {"o"})),
                    codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("LengthsMean", {"intData", "len"}, {"o"})), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("Gather", {"emb", "fids"}, {"o"})), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("Gather", {"emb", "ids"}, {"o"}, {{"axis", I(2)}})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("Gather", {"emb", "ids"}, {"o"}, {{"dense_gradient", I(2)}})),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("Gather", {"emb", "ids"}, {"o"}, {{"wrap_indices", I(1)}})),
                    codes::kUnknownArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"emb", "ids"}, {"o"})), codes::kInvalidArgument);
  // Scatter ops: rows per index, scalar weights, in place, odd input count.
  feedScalar(ws, "w", 1);
  feedF(ws, "rows3x3", {3, 3}, std::vector<float>(9, 1.f));
  feedF(ws, "rows3x2", {3, 2}, std::vector<float>(6, 1.f));
  CHECK_THROWS_CODE(create(ws, makeOp("ScatterWeightedSum", {"emb", "w", "ids", "rows3x3", "w"}, {"emb"})),
                    codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("ScatterWeightedSum", {"emb", "w2", "ids", "rows3x2", "w"}, {"emb"})),
                    codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("ScatterWeightedSum", {"emb", "w", "ids", "rows3x2", "w"}, {"other"})),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("ScatterWeightedSum", {"emb", "w", "ids", "rows3x2", "w", "rows3x2"}, {"emb"})),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("ScatterAssign", {"emb", "ids", "rows3x3"}, {"emb"})), codes::kShapeMismatch);
  feed<int32_t>(ws, "intRows", {3, 2}, std::vector<int32_t>(6, 0));
  CHECK_THROWS_CODE(create(ws, makeOp("ScatterAssign", {"emb", "ids", "intRows"}, {"emb"})), codes::kDtypeMismatch);
  // Outputs that alias an input the op still reads.
  CHECK_THROWS_CODE(create(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"emb"})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("Gather", {"emb", "ids"}, {"ids"})), codes::kInvalidArgument);
}

TEST(checks_repeat_at_run_time_for_blobs_made_later) {
  Workspace ws;
  auto op = create(ws, makeOp("SparseLengthsSum", {"emb", "ids", "len"}, {"o"}));  // nothing exists yet
  feedTable(ws);
  feedF(ws, "ids", {2}, {0, 1});  // wrong dtype, fed after instantiation
  feed<int32_t>(ws, "len", {1}, {2});
  RunContext ctx;
  CHECK_THROWS_CODE(op->run(ctx), codes::kDtypeMismatch);
  feed<int32_t>(ws, "ids", {2}, {0, 7});
  CHECK_THROWS_CODE(op->run(ctx), codes::kIndexOutOfRange);
  feed<int32_t>(ws, "ids", {2}, {0, 4});
  op->run(ctx);
  CHECK((fetch(ws, "o") == std::vector<float>{4, 40}));
  auto sws = create(ws, makeOp("ScatterWeightedSum", {"x0", "w0", "i", "x1", "w1"}, {"x0"}));
  feedF(ws, "x0", {2, 1}, {1, 1});
  feed<int32_t>(ws, "i", {1}, {0});
  feedF(ws, "x1", {1, 1}, {1});
  feedScalar(ws, "w0", 1);
  feedScalar(ws, "w1", std::numeric_limits<float>::quiet_NaN());
  CHECK_THROWS_CODE(sws->run(ctx), codes::kInvalidArgument);
  feedScalar(ws, "w1", std::numeric_limits<float>::infinity());
  CHECK_THROWS_CODE(sws->run(ctx), codes::kInvalidArgument);
  CHECK((fetch(ws, "x0") == std::vector<float>{1, 1}));
  auto missing = create(ws, makeOp("LengthsSum", {"nothing", "len"}, {"o2"}));
  CHECK_THROWS_CODE(missing->run(ctx), codes::kMissingBlob);
}

HWTEST_MAIN()
