// Optimizer ops and LearningRate: step values computed by hand (python, double precision),
// Caffe2's sign conventions, policies at chosen iterations, and bad input.
#include <cmath>
#include <limits>

#include "check.h"
#include "sparse_test_util.h"

using namespace hogwild;
using namespace sparsetest;

namespace {

Argument I(int64_t v) { return Argument::ofInt(v); }
Argument F(double v) { return Argument::ofFloat(v); }
Argument S(const char* v) { return Argument::ofString(v); }
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

double lrAt(const std::map<std::string, Argument>& args, int64_t iter) {
  Workspace ws;
  feedIter(ws, "it", iter);
  run(ws, makeOp("LearningRate", {"it"}, {"lr"}, args));
  CHECK(shapeOf(ws, "lr").empty());
  return fetch(ws, "lr")[0];
}

}  // namespace

// ---- step values ----

TEST(adagrad_step_values) {
  Workspace ws;
  feedF(ws, "p", {3}, {1, 2, -1});
  feedF(ws, "h", {3}, {0.5f, 0, 2});
  feedF(ws, "g", {3}, {0.5f, -1, 0});
  feedScalar(ws, "lr", -0.1f);  // Caffe2: negative lr descends (param += lr * ...)
  run(ws, makeOp("Adagrad", {"p", "h", "g", "lr"}, {"p", "h"}));
  CHECK(allClose(fetch(ws, "h"), {0.75f, 1, 2}, 1e-7, "moment"));
  CHECK(allClose(fetch(ws, "p"), {0.9422656397400062f, 2.09999900001f, -1}, 1e-7, "param"));
  feedF(ws, "p", {3}, {1, 2, -1});
  feedF(ws, "h", {3}, {0.5f, 0, 2});
  run(ws, makeOp("Adagrad", {"p", "h", "g", "lr"}, {"p", "h"}, {{"decay", F(0.5)}, {"epsilon", F(1e-5)}}));
  CHECK(allClose(fetch(ws, "h"), {0.5f, 1, 1}, 1e-7, "decayed moment"));
  CHECK(allClose(fetch(ws, "p"), {0.9292903218672033f, 2.09999900001f, -1}, 1e-7, "decayed param"));
}

TEST(sparse_adagrad_updates_only_indexed_rows) {
  Workspace ws;
  feedF(ws, "p", {3, 2}, {1, 2, 3, 4, 5, 6});
  feedF(ws, "h", {3, 2}, {0, 0, 0.5f, 0, 0, 0});
  feed<int64_t>(ws, "i", {1}, {1});
  feedF(ws, "g", {1, 2}, {0.5f, -1});
  feedScalar(ws, "lr", -0.1f);
  run(ws, makeOp("SparseAdagrad", {"p", "h", "i", "g", "lr"}, {"p", "h"}));
  CHECK(allClose(fetch(ws, "h"), {0, 0, 0.75f, 1, 0, 0}, 1e-7, "moment"));
  CHECK(allClose(fetch(ws, "p"), {1, 2, 3 - 1 + 0.9422656397400062f, 4 - 2 + 2.09999900001f, 5, 6}, 1e-6, "param"));
}

TEST(row_wise_sparse_adagrad_step) {
  Workspace ws;
  feedF(ws, "p", {2, 2}, {9, 9, 1, 2});
  feedF(ws, "h", {2}, {7, 0.5f});
  feed<int32_t>(ws, "i", {1}, {1});
  feedF(ws, "g", {1, 2}, {3, 4});  // mean of squares 12.5 -> h[1] = 13
  feedScalar(ws, "lr", -0.1f);
  run(ws, makeOp("RowWiseSparseAdagrad", {"p", "h", "i", "g", "lr"}, {"p", "h"}));
  CHECK(allClose(fetch(ws, "h"), {7, 13}, 1e-7, "moment"));
  CHECK(allClose(fetch(ws, "p"), {9, 9, 0.9167952013348064f, 1.8890602684464084f}, 1e-6, "param"));
}

TEST(adam_and_sparse_adam_bias_corrected_steps) {
  for (int64_t iter : {int64_t{0}, int64_t{9}}) {
    const float want = iter == 0 ? 0.9900000015811385f : 0.9951557369025682f;
    Workspace ws;
    feedF(ws, "p", {1}, {1});
    feedF(ws, "m", {1}, {0});
    feedF(ws, "v", {1}, {0});
    feedF(ws, "g", {1}, {2});
    feedScalar(ws, "lr", -0.01f);
    feedIter(ws, "it", iter);
    run(ws, makeOp("Adam", {"p", "m", "v", "g", "lr", "it"}, {"p", "m", "v"}));
    CHECK_NEAR(fetch(ws, "p")[0], want, 1e-7);
    CHECK_NEAR(fetch(ws, "m")[0], 0.2, 1e-7);
    CHECK_NEAR(fetch(ws, "v")[0], 0.004, 1e-7);  // (1 - beta2) is a float, as in Caffe2

    feedF(ws, "sp", {3, 1}, {5, 1, 5});
    feedF(ws, "sm", {3, 1}, {0, 0, 0});
    feedF(ws, "sv", {3, 1}, {0, 0, 0});
    feed<int32_t>(ws, "si", {1}, {1});
    feedF(ws, "sg", {1, 1}, {2});
    run(ws, makeOp("SparseAdam", {"sp", "sm", "sv", "si", "sg", "lr", "it"}, {"sp", "sm", "sv"},
                   {{"beta1", F(0.9)}, {"beta2", F(0.999)}, {"epsilon", F(1e-8)}}));
    CHECK(allClose(fetch(ws, "sp"), {5, want, 5}, 1e-7, "sparse adam"));
    CHECK(allClose(fetch(ws, "sm"), {0, 0.2f, 0}, 1e-7, "sparse m"));
  }
}

TEST(momentum_sgd_update_plain_and_nesterov) {
  for (int nesterov = 0; nesterov < 2; ++nesterov) {
    Workspace ws;
    feedF(ws, "g", {2}, {1, -2});
    feedF(ws, "m", {2}, {0.5f, 0});
    feedF(ws, "p", {2}, {0, 0});
    feedScalar(ws, "lr", 0.1f);  // positive: MomentumSGDUpdate subtracts its step
    run(ws, makeOp("MomentumSGDUpdate", {"g", "m", "lr", "p"}, {"g", "m", "p"},
                   {{"momentum", F(0.9)}, {"nesterov", I(nesterov)}}));
    if (!nesterov) {
      CHECK(allClose(fetch(ws, "m"), {0.55f, -0.2f}, 1e-7, "moment"));
      CHECK(allClose(fetch(ws, "g"), {0.55f, -0.2f}, 1e-7, "grad out"));
      CHECK(allClose(fetch(ws, "p"), {-0.55f, 0.2f}, 1e-7, "param"));
    } else {
      CHECK(allClose(fetch(ws, "m"), {0.55f, -0.2f}, 1e-7, "moment"));
      CHECK(allClose(fetch(ws, "g"), {0.595f, -0.38f}, 1e-6, "grad out"));
      CHECK(allClose(fetch(ws, "p"), {-0.595f, 0.38f}, 1e-6, "param"));
    }
  }
  Workspace ws;  // grad output into a new blob leaves the gradient alone
  feedF(ws, "g", {1}, {1});
  feedF(ws, "m", {1}, {0});
  feedF(ws, "p", {1}, {0});
  feedScalar(ws, "lr", 0.5f);
  run(ws, makeOp("MomentumSGDUpdate", {"g", "m", "lr", "p"}, {"adjusted", "m", "p"}));
  CHECK(fetch(ws, "g")[0] == 1 && fetch(ws, "adjusted")[0] == 0.5f && fetch(ws, "p")[0] == -0.5f);
}

TEST(sgd_with_weighted_sum_descends_with_a_negative_rate) {
  // Caffe2's plain SGD: LearningRate(base_lr = -alpha) then WeightedSum(param, ONE, grad, LR) in place.
  Workspace ws;
  feedIter(ws, "it", 0);
  feedF(ws, "w", {2}, {1, 1});
  feedF(ws, "g", {2}, {2, -4});
  feedF(ws, "ONE", {1}, {1});
  run(ws, makeOp("LearningRate", {"it"}, {"lr"}, {{"base_lr", F(-0.1)}, {"policy", S("fixed")}}));
  run(ws, makeOp("WeightedSum", {"w", "ONE", "g", "lr"}, {"w"}));
  CHECK(allClose(fetch(ws, "w"), {0.8f, 1.4f}, 1e-7, "w"));
}

// ---- LearningRate ----

TEST(learning_rate_policies_at_chosen_iterations) {
  const Argument base = F(-0.1);  // Caffe2 sign convention: negative for WeightedSum / Adagrad descent
  CHECK_NEAR(lrAt({{"base_lr", base}, {"policy", S("fixed")}}, 12345), -0.1, 1e-8);
  const std::map<std::string, Argument> step{{"base_lr", base}, {"policy", S("step")}, {"stepsize", I(10)}, {"gamma", F(0.5)}};
  CHECK_NEAR(lrAt(step, 0), -0.1, 1e-8);
  CHECK_NEAR(lrAt(step, 9), -0.1, 1e-8);
  CHECK_NEAR(lrAt(step, 10), -0.05, 1e-8);
  CHECK_NEAR(lrAt(step, 25), -0.025, 1e-8);
  CHECK_NEAR(lrAt({{"base_lr", F(1)}, {"policy", S("exp")}, {"gamma", F(0.9)}}, 3), 0.729, 1e-7);
  CHECK_NEAR(lrAt({{"base_lr", F(1)}, {"policy", S("inv")}, {"gamma", F(0.1)}, {"power", F(0.5)}}, 30), 0.5, 1e-7);
  const std::map<std::string, Argument> poly{{"base_lr", F(2)}, {"policy", S("poly")}, {"max_iter", I(100)}, {"power", F(2)}};
  CHECK_NEAR(lrAt(poly, 50), 0.5, 1e-7);
  CHECK_NEAR(lrAt(poly, 150), 0.0, 1e-9);  // clamped (Caffe2 would give NaN for non-integer powers)
  const std::map<std::string, Argument> lw{
      {"base_lr", F(1)}, {"policy", S("linearWarmup")}, {"start_multiplier", F(0.1)}, {"num_iter", I(10)}};
  CHECK_NEAR(lrAt(lw, 0), 0.1, 1e-7);
  CHECK_NEAR(lrAt(lw, 5), 0.55, 1e-7);
  CHECK_NEAR(lrAt(lw, 10), 1.0, 1e-7);
  const std::map<std::string, Argument> cw{
      {"base_lr", F(1)}, {"policy", S("constantWarmup")}, {"multiplier", F(0.5)}, {"num_iter", I(3)}};
  CHECK_NEAR(lrAt(cw, 2), 0.5, 1e-7);
  CHECK_NEAR(lrAt(cw, 3), 1.0, 1e-7);
  const std::map<std::string, Argument> lin{{"base_lr", F(1)}, {"policy", S("linear")}, {"start_multiplier", F(1)},
                                            {"end_multiplier", F(0.1)}, {"num_iter", I(100)}};
  CHECK_NEAR(lrAt(lin, 0), 1.0, 1e-7);
  CHECK_NEAR(lrAt(lin, 50), 0.55, 1e-7);
  CHECK_NEAR(lrAt(lin, 200), 0.1, 1e-7);
  const std::map<std::string, Argument> warm{{"base_lr", F(1)},
                                             {"policy", S("step")},
                                             {"stepsize", I(3)},
                                             {"gamma", F(0.5)},
                                             {"warmup_iter", I(4)},
                                             {"warmup_start_multiplier", F(0.2)}};
  CHECK_NEAR(lrAt(warm, 0), 0.2, 1e-7);
  CHECK_NEAR(lrAt(warm, 2), 0.6, 1e-7);
  CHECK_NEAR(lrAt(warm, 3), 0.5 * 0.8, 1e-7);
  CHECK_NEAR(lrAt(warm, 4), 0.5, 1e-7);
}

TEST(learning_rate_bad_arguments_and_inputs) {
  Workspace ws;
  feedIter(ws, "it", 0);
  auto make = [&](std::map<std::string, Argument> args) { return create(ws, makeOp("LearningRate", {"it"}, {"lr"}, args)); };
  CHECK_THROWS_CODE(make({{"policy", S("fixed")}}), codes::kInvalidArgument);  // base_lr required
  CHECK_THROWS_CODE(make({{"base_lr", F(0.1)}}), codes::kInvalidArgument);     // policy required
  CHECK_THROWS_CODE(make({{"base_lr", F(0.1)}, {"policy", S("cosine")}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(kNaN)}, {"policy", S("fixed")}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(kInf)}, {"policy", S("fixed")}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("step")}, {"gamma", F(0.5)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("step")}, {"stepsize", I(5)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("exp")}, {"gamma", F(-kInf)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("inv")}, {"gamma", F(0.1)}, {"power", F(kNaN)}}),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("poly")}, {"power", F(1)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("linear")}, {"num_iter", I(0)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("linearWarmup")}, {"num_iter", I(-1)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("fixed")}, {"warmup_start_multiplier", F(2)}}),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("step")}, {"stepsize", F(1.5)}, {"gamma", F(0.5)}}),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(make({{"base_lr", F(1)}, {"policy", S("fixed")}, {"lr_scale", F(1)}}), codes::kUnknownArgument);
  // Run-time: iteration dtype, sign, and an overflowing rate.
  auto op = create(ws, makeOp("LearningRate", {"later"}, {"lr"}, {{"base_lr", F(1)}, {"policy", S("fixed")}}));
  feed<int32_t>(ws, "later", {}, {0});
  RunContext ctx;
  CHECK_THROWS_CODE(op->run(ctx), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("LearningRate", {"later"}, {"lr"}, {{"base_lr", F(1)}, {"policy", S("fixed")}})),
                    codes::kDtypeMismatch);
  feed<int64_t>(ws, "later", {2}, {0, 1});
  CHECK_THROWS_CODE(op->run(ctx), codes::kShapeMismatch);
  feedIter(ws, "it", -1);
  CHECK_THROWS_CODE(run(ws, makeOp("LearningRate", {"it"}, {"lr"}, {{"base_lr", F(1)}, {"policy", S("fixed")}})),
                    codes::kInvalidArgument);
  feedIter(ws, "it", 100000);
  CHECK_THROWS_CODE(run(ws, makeOp("LearningRate", {"it"}, {"lr"}, {{"base_lr", F(1)}, {"policy", S("exp")}, {"gamma", F(2)}})),
                    codes::kInvalidArgument);
}

// ---- bad input to the optimizers ----

TEST(optimizer_argument_ranges) {
  Workspace ws;
  feedF(ws, "p", {2}, {0, 0});
  feedF(ws, "h", {2}, {0, 0});
  feedF(ws, "g", {2}, {0, 0});
  feedScalar(ws, "lr", -0.1f);
  feedIter(ws, "it", 0);
  auto adagrad = [&](std::map<std::string, Argument> a) { return create(ws, makeOp("Adagrad", {"p", "h", "g", "lr"}, {"p", "h"}, a)); };
  CHECK_THROWS_CODE(adagrad({{"epsilon", F(0)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adagrad({{"epsilon", F(-1e-5)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adagrad({{"epsilon", F(kInf)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adagrad({{"epsilon", F(kNaN)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adagrad({{"decay", F(1.5)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adagrad({{"momentum", F(0.5)}}), codes::kUnknownArgument);
  auto adam = [&](std::map<std::string, Argument> a) {
    return create(ws, makeOp("Adam", {"p", "h", "g", "g", "lr", "it"}, {"p", "h", "g"}, a));
  };
  CHECK_THROWS_CODE(adam({{"beta1", F(1)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adam({{"beta2", F(-0.1)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(adam({{"epsilon", F(kInf)}}), codes::kInvalidArgument);
  auto momentum = [&](std::map<std::string, Argument> a) {
    return create(ws, makeOp("MomentumSGDUpdate", {"g", "h", "lr", "p"}, {"g", "h", "p"}, a));
  };
  CHECK_THROWS_CODE(momentum({{"momentum", F(kNaN)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(momentum({{"momentum", F(2)}}), codes::kInvalidArgument);
  CHECK_THROWS_CODE(momentum({{"nesterov", I(2)}}), codes::kInvalidArgument);
}

TEST(optimizer_shapes_dtypes_in_place_and_rates) {
  Workspace ws;
  feedF(ws, "p", {3, 2}, std::vector<float>(6, 0.f));
  feedF(ws, "h", {3, 2}, std::vector<float>(6, 0.f));
  feedF(ws, "hRow", {3}, {0, 0, 0});
  feedF(ws, "h32", {3, 3}, std::vector<float>(9, 0.f));
  feedF(ws, "g", {2, 2}, {1, 1, 1, 1});
  feedF(ws, "g3", {2, 3}, std::vector<float>(6, 1.f));
  feedF(ws, "gDense", {3, 2}, std::vector<float>(6, 1.f));
  feed<int32_t>(ws, "i", {2}, {0, 2});
  feedF(ws, "fi", {2}, {0, 2});
  feedScalar(ws, "lr", -0.1f);
  feedF(ws, "lr2", {2}, {-0.1f, -0.1f});
  feed<double>(ws, "lr64", {}, {-0.1});
  const std::vector<std::string> out{"p", "h"};
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h32", "i", "g", "lr"}, out)), codes::kInvalidArgument);  // not in place
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h32", "i", "g", "lr"}, {"p", "h32"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h", "fi", "g", "lr"}, out)), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h", "i", "g3", "lr"}, out)), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h", "i", "g", "lr2"}, out)), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h", "i", "g", "lr64"}, out)), codes::kDtypeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("SparseAdagrad", {"p", "h", "i", "g", "lr"}, {"p2", "h"})), codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("RowWiseSparseAdagrad", {"p", "h", "i", "g", "lr"}, out)), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("Adagrad", {"p", "h", "g", "lr"}, out)), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("Adagrad", {"p", "hRow", "gDense", "lr"}, {"p", "hRow"})), codes::kShapeMismatch);
  CHECK_THROWS_CODE(create(ws, makeOp("MomentumSGDUpdate", {"gDense", "h", "lr", "p"}, {"p", "h", "p"})),
                    codes::kInvalidArgument);
  CHECK_THROWS_CODE(create(ws, makeOp("Adagrad", {"p", "h", "gDense"}, out)), codes::kInvalidArgument);  // input count
  // Out-of-range and negative indices: error, parameter untouched.
  feed<int64_t>(ws, "bad", {2}, {0, 3});
  feed<int64_t>(ws, "neg", {2}, {-1, 0});
  std::string code;
  const std::string msg = errorOf([&] { run(ws, makeOp("SparseAdagrad", {"p", "h", "bad", "g", "lr"}, out)); }, &code);
  CHECK(code == codes::kIndexOutOfRange && contains(msg, "SparseAdagrad") && contains(msg, "position 1") &&
        contains(msg, "received 3"));
  CHECK_THROWS_CODE(run(ws, makeOp("RowWiseSparseAdagrad", {"p", "hRow", "neg", "g", "lr"}, {"p", "hRow"})),
                    codes::kIndexOutOfRange);
  feedF(ws, "m", {3, 2}, std::vector<float>(6, 0.f));
  feedF(ws, "v", {3, 2}, std::vector<float>(6, 0.f));
  feedIter(ws, "it", 0);
  CHECK_THROWS_CODE(run(ws, makeOp("SparseAdam", {"p", "m", "v", "neg", "g", "lr", "it"}, {"p", "m", "v"})),
                    codes::kIndexOutOfRange);
  CHECK((fetch(ws, "p") == std::vector<float>(6, 0.f)));
  CHECK((fetch(ws, "h") == std::vector<float>(6, 0.f)));
  // A NaN or infinite learning rate is refused before the update.
  feedScalar(ws, "lrNaN", kNaN);
  feedScalar(ws, "lrInf", -kInf);
  CHECK_THROWS_CODE(run(ws, makeOp("SparseAdagrad", {"p", "h", "i", "g", "lrNaN"}, out)), codes::kInvalidArgument);
  CHECK_THROWS_CODE(run(ws, makeOp("Adagrad", {"p", "h", "gDense", "lrInf"}, out)), codes::kInvalidArgument);
  CHECK((fetch(ws, "p") == std::vector<float>(6, 0.f)));
  // Negative iteration for Adam.
  feedIter(ws, "it", -3);
  CHECK_THROWS_CODE(run(ws, makeOp("Adam", {"p", "m", "v", "gDense", "lr", "it"}, {"p", "m", "v"})), codes::kInvalidArgument);
  // Sparse gradient rows of a 3-D parameter follow the index shape (Gather's sparse gradient).
  feedF(ws, "p3", {4, 1, 2}, std::vector<float>(8, 0.f));
  feedF(ws, "h3", {4, 1, 2}, std::vector<float>(8, 0.f));
  feed<int32_t>(ws, "i2", {1, 2}, {3, 1});
  feedF(ws, "g2", {1, 2, 1, 2}, {1, 1, 1, 1});
  run(ws, makeOp("SparseAdagrad", {"p3", "h3", "i2", "g2", "lr"}, {"p3", "h3"}));
  CHECK((fetch(ws, "h3") == std::vector<float>{0, 0, 1, 1, 0, 0, 1, 1}));
}

HWTEST_MAIN()
