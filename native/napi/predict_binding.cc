// The prediction part of the binding: a fastText predictor made from the
// blobs of a workspace (the dictionary and the three parameter tensors, held
// by shared storage), and batch prediction off the JS thread. Any number of
// batches may be in flight at once: the predictor is immutable.
#include <memory>
#include <string>

#include "../data/fasttext_predict.h"
#include "../data/object_ref.h"
#include "errors.h"
#include "js_convert.h"
#include "registrations.h"
#include "workspace_wrap.h"

namespace hogwild::napi {

namespace {

using data::FastTextPredictor;
using PredictorRef = std::shared_ptr<const FastTextPredictor>;

constexpr napi_type_tag kPredictorTag = {0x8d3f1c2a6b7e4f10ULL, 0x9a2b3c4d5e6f7090ULL};

PredictorRef unwrapPredictor(const Napi::Value& v) {
  if (!v.IsExternal() || !v.As<Napi::Object>().CheckTypeTag(&kPredictorTag))
    throwExpected("a fastText predictor (from fastTextPredictor())", "predictor", v);
  return *v.As<Napi::External<PredictorRef>>().Data();
}

// fastTextPredictor(ws, { dictionary, input, output, bias }): blob names ->
// { handle, maxLineBytes, nlabels, dim }.
Napi::Value CreatePredictor(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    std::shared_ptr<WorkspaceHandle> h = unwrapWorkspaceHandle(info[0], "workspace");
    HW_CHECK(*h->treeRuns == 0, codes::kBusy,
             "Expected no plan running on the workspace for fastTextPredictor() but " << *h->treeRuns << " are running");
    Napi::Object names = toObject(info[1], "blobs");
    auto name = [&](const char* key) { return toStr(names.Get(key), std::string("blobs.") + key, false); };
    const std::string dictName = name("dictionary"), inputName = name("input"), outputName = name("output"),
                      biasName = name("bias");
    auto dict = data::objectRef<data::FastTextDictionary>(h->ws.getBlob(dictName), dictName);
    auto p = std::make_shared<const FastTextPredictor>(dict, h->ws.getBlob(inputName).tensor(inputName),
                                                       h->ws.getBlob(outputName).tensor(outputName),
                                                       h->ws.getBlob(biasName).tensor(biasName));
    auto ext = Napi::External<PredictorRef>::New(info.Env(), new PredictorRef(std::move(p)),
                                                 [](Napi::Env, PredictorRef* r) { delete r; });
    ext.TypeTag(&kPredictorTag);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("handle", ext);
    o.Set("maxLineBytes", static_cast<double>(dict->options().maxLineBytes));
    o.Set("nlabels", dict->nlabels());
    o.Set("dim", static_cast<double>((*ext.Data())->dim()));
    return o;
  });
}

class PredictWorker final : public Napi::AsyncWorker {
 public:
  PredictWorker(Napi::Env env, PredictorRef predictor, std::string bytes, data::PredictRequest req)
      : Napi::AsyncWorker(env, "hogwildFastTextPredict"), _deferred(Napi::Promise::Deferred::New(env)),
        _predictor(std::move(predictor)), _bytes(std::move(bytes)), _req(req) {}
  Napi::Promise promise() { return _deferred.Promise(); }

  void Execute() override {
    try {
      _predictor->predict(_bytes, _req, &_out);
    } catch (const Error& e) {
      _code = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      _code = codes::kOutOfMemory;
      SetError("Out of memory while predicting");
    } catch (const std::exception& e) {
      _code = codes::kInternal;
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("lines", static_cast<double>(_out.lines));
    switch (_req.output) {
      case data::PredictOutput::Arrays: {
        auto counts = Napi::Int32Array::New(env, _out.counts.size());
        std::copy(_out.counts.begin(), _out.counts.end(), counts.Data());
        auto labels = Napi::Int32Array::New(env, _out.labels.size());
        std::copy(_out.labels.begin(), _out.labels.end(), labels.Data());
        auto probs = Napi::Float32Array::New(env, _out.probs.size());
        std::copy(_out.probs.begin(), _out.probs.end(), probs.Data());
        o.Set("counts", counts);
        o.Set("labels", labels);
        o.Set("probs", probs);
        break;
      }
      case data::PredictOutput::Labels:
      case data::PredictOutput::LabelsProb:
        o.Set("text", Napi::Buffer<char>::Copy(env, _out.text.data(), _out.text.size()));
        break;
      case data::PredictOutput::Test:
        o.Set("examples", static_cast<double>(_out.examples));
        o.Set("gold", static_cast<double>(_out.gold));
        o.Set("predicted", static_cast<double>(_out.predicted));
        o.Set("predictedGold", static_cast<double>(_out.predictedGold));
        if (_req.perLabel) {
          auto counts = [&](const std::vector<int64_t>& v) {
            auto a = Napi::Float64Array::New(env, v.size());
            std::copy(v.begin(), v.end(), a.Data());
            return a;
          };
          o.Set("labelGold", counts(_out.labelGold));
          o.Set("labelPredicted", counts(_out.labelPredicted));
          o.Set("labelPredictedGold", counts(_out.labelPredictedGold));
        }
        break;
    }
    _deferred.Resolve(o);
  }

  void OnError(const Napi::Error& e) override { _deferred.Reject(jsError(Env(), _code, e.Message()).Value()); }

 private:
  Napi::Promise::Deferred _deferred;
  PredictorRef _predictor;
  std::string _bytes;
  data::PredictRequest _req;
  data::PredictBatch _out;
  const char* _code = codes::kInternal;
};

// fastTextPredict(predictor, bytes, { k, threshold, output, firstLine, perLabel }) -> Promise.
Napi::Value Predict(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    PredictorRef p = unwrapPredictor(info[0]);
    if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throwExpected("a Uint8Array", "bytes", info[1]);
    auto bytes = info[1].As<Napi::Uint8Array>();
    Napi::Object o = toObject(info[2], "options");
    data::PredictRequest req;
    req.k = toInt(o.Get("k"), "options.k", 1, INT32_MAX);
    Napi::Value th = o.Get("threshold");
    if (!th.IsNumber()) throwExpected("a number in [0, 1]", "options.threshold", th);
    double t = th.As<Napi::Number>().DoubleValue();
    if (!(t >= 0 && t <= 1)) throwExpected("a number in [0, 1]", "options.threshold", th);
    req.threshold = t;
    req.output = static_cast<data::PredictOutput>(toInt(o.Get("output"), "options.output", 0, 3));
    req.firstLine = toInt(o.Get("firstLine"), "options.firstLine", 1, int64_t{1} << 53);
    if (!isMissing(o.Get("perLabel"))) req.perLabel = toBool(o.Get("perLabel"), "options.perLabel");
    if (req.perLabel && req.output != data::PredictOutput::Test) throwExpected("perLabel only with output 3 (test)", "options.perLabel", o.Get("perLabel"));
    // Copied: the JS buffer may be reused while the batch runs.
    std::string copy(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
    auto* w = new PredictWorker(info.Env(), std::move(p), std::move(copy), req);
    Napi::Promise promise = w->promise();
    w->Queue();
    return promise;
  });
}

}  // namespace

void registerPredict(Napi::Env env, Napi::Object exports) {
  exports.Set("fastTextPredictor", Napi::Function::New<CreatePredictor>(env, "fastTextPredictor"));
  exports.Set("fastTextPredict", Napi::Function::New<Predict>(env, "fastTextPredict"));
}

}  // namespace hogwild::napi
