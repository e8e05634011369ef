// Print: a blob's contents on stderr, for debugging plans. One write per call
// so lines from concurrent instances do not interleave mid-line.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "../core/objects.h"
#include "op_helpers.h"
#include "registry.h"

namespace hogwild {
namespace {

class PrintOp final : public BasicOp {
 public:
  PrintOp(const OperatorDef& def, Workspace& ws)
      : BasicOp(def, ws), _limit(argInt("limit", 0)), _everyN(argInt("every_n", 1)) {
    // Caffe2's limit 0 means its default cap of 1000 values.
    if (_limit < 0) fail(codes::kInvalidArgument, "Expected limit >= 0 but received " + std::to_string(_limit));
    if (_limit == 0) _limit = 1000;
    if (_everyN < 1) fail(codes::kInvalidArgument, "Expected every_n >= 1 but received " + std::to_string(_everyN));
  }

  void run(RunContext&) override {
    if (_calls++ % _everyN != 0) return;
    std::ostringstream os;
    os << inputName(0) << ": ";
    const Blob& b = inputBlob(0);
    if (const Tensor* t = b.tensorOrNull()) {
      os << dtypeName(t->dtype()) << " " << shapeString(t->shape()) << " [";
      printValues(os, *t);
      os << "]";
    } else if (auto* c = dynamic_cast<Counter*>(b.objectPtr().get())) {
      os << "counter " << c->count();
    } else if (auto* s = dynamic_cast<StringList*>(b.objectPtr().get())) {
      os << "stringList [";
      const size_t n = std::min<size_t>(s->size(), static_cast<size_t>(_limit));
      for (size_t i = 0; i < n; ++i) os << (i ? ", " : "") << '"' << s->values()[i] << '"';
      if (s->size() > n) os << ", ... (" << s->size() << " in all)";
      os << "]";
    } else {
      os << b.kindName();
    }
    os << "\n";
    const std::string line = os.str();
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  void printValues(std::ostream& os, const Tensor& t) const {
    const int64_t n = std::min(t.numel(), _limit);
    visitDtype(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* p = elems<T>(t);
      for (int64_t i = 0; i < n; ++i) {
        if (i) os << ", ";
        if constexpr (sizeof(T) == 1) {
          os << static_cast<int>(p[i]);
        } else {
          os << p[i];
        }
      }
    });
    if (t.numel() > n) os << ", ... (" << t.numel() << " in all)";
  }

  int64_t _limit;
  int64_t _everyN;
  int64_t _calls = 0;
};

}  // namespace

HW_REGISTER_OP(Print, PrintOp)
    .inputs(1).outputs(0).argList({"limit", "every_n"})
    .describe("Writes the blob (dtype, shape and up to `limit` values, default 1000) to stderr every every_n runs.");

}  // namespace hogwild
