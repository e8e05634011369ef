// File readers as ops, run once (usually in a job's init group) to fill a
// dataset's field blobs natively: no JS object per example ever exists.
//   ReadFastTextFile([dict]) -> ([dict,] labels, lengths, ids[, labelSetLengths, labelSetValues])
//     (the last two: every known label of each line, for multi-label training)
//   BuildFastTextDictionary() -> (dict)
//   ReadCsvFile() -> (features, labels)
//   ReadIdxFile() -> (tensor)
//   ReadRawArrayFile() -> (tensor)
#include <cstring>

#include "../data/fasttext.h"
#include "../data/fasttext_retained.h"
#include "../data/numeric_files.h"
#include "../data/object_ref.h"
#include "registry.h"

namespace hogwild {
namespace {

using namespace data;

template <typename T> void fillVector(Tensor& out, DType dtype, const std::vector<T>& v) {
  out.resize(dtype, {static_cast<int64_t>(v.size())});
  if (!v.empty()) std::memcpy(out.raw(), v.data(), v.size() * sizeof(T));
}

class ReadFastTextFileOp final : public Operator {
 public:
  ReadFastTextFileOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _path(argString("path", "")) {
    if (_path.empty()) fail(codes::kInvalidArgument, "Expected a 'path' argument");
    _withDict = numInputs() == 1;
    const size_t base = _withDict ? 3u : 4u;
    if (numOutputs() != base && numOutputs() != base + 2)
      fail(codes::kInvalidArgument, std::string("Expected ") + (_withDict ? "3 outputs (labels, lengths, ids)" : "4 outputs (dict, labels, lengths, ids)") +
                                        ", plus 2 for the label sets (labelSetLengths, labelSetValues), but received " + std::to_string(numOutputs()));
    _withLabelSets = numOutputs() == base + 2;
    std::string idx = argString("index_dtype", "int32");
    if (idx != "int32" && idx != "int64") fail(codes::kInvalidArgument, "Expected index_dtype 'int32' or 'int64' but received '" + idx + "'");
    _index64 = idx == "int64";
    _opts.labelPrefix = argString("label_prefix", _opts.labelPrefix);
    _opts.minCount = argInt("min_count", _opts.minCount);
    _opts.minCountLabel = argInt("min_count_label", _opts.minCountLabel);
    _opts.wordNgrams = argInt("word_ngrams", _opts.wordNgrams);
    _opts.bucket = argInt("bucket", _opts.bucket);
    _opts.minn = argInt("minn", _opts.minn);
    _opts.maxn = argInt("maxn", _opts.maxn);
    _opts.maxLineBytes = argInt("max_line_bytes", _opts.maxLineBytes);
    _opts.skipInvalid = argInt("skip_invalid", 0) != 0;
    _opts.checkUtf8 = argInt("check_utf8", 1) != 0;
    _opts.unsupervised = argInt("unsupervised", 0) != 0;
    _opts.pretrainedVectors = argString("pretrained_vectors", "");
    _threads = argInt("threads", 1);
    if (_threads < 1 || _threads > 1024) fail(codes::kInvalidArgument, "Expected threads in [1, 1024] but received " + std::to_string(_threads));
    _once = argInt("once", 0) != 0;
    if (_withLabelSets && _opts.unsupervised) fail(codes::kInvalidArgument, "Expected no label-set outputs with unsupervised=1 (word vectors read no labels)");
    if (!_withDict) FastTextDictionary check(_opts);  // validates the options now
  }

  void run(RunContext&) override {
    size_t o = _withDict ? 0 : 1;
    std::shared_ptr<FastTextDictionary> dict;
    if (_withDict) {
      dict = objectRef<FastTextDictionary>(inputBlob(0), inputName(0));
      // once: this dictionary already encoded the file (an earlier epoch): share that encoding.
      if (_once) {
        if (auto hit = dict->cachedEncoding(_path, _index64)) {
          output(o) = hit->labels;
          output(o + 1) = hit->lengths;
          output(o + 2) = hit->ids;
          if (_withLabelSets) {
            output(o + 3) = hit->labelSetLengths;
            output(o + 4) = hit->labelSetValues;
          }
          return;
        }
      }
    }
    FileBytes file(_path);
    if (!_withDict) {
      dict = std::make_shared<FastTextDictionary>(_opts);
      dict->build(file, static_cast<int>(_threads));
    }
    FastTextEncoded enc = dict->encodeFile(file, static_cast<int>(_threads), _opts.unsupervised);
    fillVector(output(o), DType::Int32, enc.labels);
    enc.labels = {};
    fillVector(output(o + 1), DType::Int32, enc.lengths);
    enc.lengths = {};
    // The label sets are kept with a cached encoding even when this op does not output them
    // (a later reader of the cache may); otherwise they are only copied when asked for.
    Tensor labelSetLengths, labelSetValues;
    if (_withLabelSets || _once) {
      fillVector(labelSetLengths, DType::Int32, enc.labelSetLengths);
      fillVector(labelSetValues, DType::Int32, enc.labelSetValues);
    }
    enc.labelSetLengths = {};
    enc.labelSetValues = {};
    if (_withLabelSets) {
      output(o + 3) = labelSetLengths;
      output(o + 4) = labelSetValues;
    }
    if (_index64) {
      std::vector<int64_t> wide(enc.ids.begin(), enc.ids.end());
      fillVector(output(o + 2), DType::Int64, wide);
    } else {
      fillVector(output(o + 2), DType::Int32, enc.ids);
    }
    if (_once) {
      auto e = std::make_shared<FastTextDictionary::Encoding>();
      e->path = _path;
      e->index64 = _index64;
      e->labels = output(o);
      e->lengths = output(o + 1);
      e->ids = output(o + 2);
      e->labelSetLengths = labelSetLengths;
      e->labelSetValues = labelSetValues;
      dict->cacheEncoding(std::move(e));
    }
    if (!_withDict) outputBlob(0).setObject(dict);
  }

 private:
  std::string _path;
  bool _withDict = false, _index64 = false, _once = false, _withLabelSets = false;
  int64_t _threads = 1;
  FastTextOptions _opts;
};

// Builds only the dictionary of a fastText file (the examples are encoded later, once).
class BuildFastTextDictionaryOp final : public Operator {
 public:
  BuildFastTextDictionaryOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _path(argString("path", "")) {
    if (_path.empty()) fail(codes::kInvalidArgument, "Expected a 'path' argument");
    _opts.labelPrefix = argString("label_prefix", _opts.labelPrefix);
    _opts.minCount = argInt("min_count", _opts.minCount);
    _opts.minCountLabel = argInt("min_count_label", _opts.minCountLabel);
    _opts.wordNgrams = argInt("word_ngrams", _opts.wordNgrams);
    _opts.bucket = argInt("bucket", _opts.bucket);
    _opts.minn = argInt("minn", _opts.minn);
    _opts.maxn = argInt("maxn", _opts.maxn);
    _opts.maxLineBytes = argInt("max_line_bytes", _opts.maxLineBytes);
    _opts.skipInvalid = argInt("skip_invalid", 0) != 0;
    _opts.checkUtf8 = argInt("check_utf8", 1) != 0;
    _opts.unsupervised = argInt("unsupervised", 0) != 0;
    _opts.pretrainedVectors = argString("pretrained_vectors", "");
    _threads = argInt("threads", 1);
    if (_threads < 1 || _threads > 1024) fail(codes::kInvalidArgument, "Expected threads in [1, 1024] but received " + std::to_string(_threads));
    FastTextDictionary check(_opts);  // validates the options now
  }

  void run(RunContext&) override {
    // The scan of this job already parsed the file (FastTextFile.scan({ retain })): take its dictionary and encoding.
    if (auto retained = takeRetainedScan(_path, _opts)) {
      outputBlob(0).setObject(retained);
      return;
    }
    FileBytes file(_path);
    auto dict = std::make_shared<FastTextDictionary>(_opts);
    dict->build(file, static_cast<int>(_threads));
    outputBlob(0).setObject(dict);
  }

 private:
  std::string _path;
  int64_t _threads = 1;
  FastTextOptions _opts;
};

class ReadCsvFileOp final : public Operator {
 public:
  ReadCsvFileOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _path(argString("path", "")) {
    if (_path.empty()) fail(codes::kInvalidArgument, "Expected a 'path' argument");
    std::string delim = argString("delimiter", ",");
    if (delim.size() != 1) fail(codes::kInvalidArgument, "Expected a one-character delimiter but received '" + delim + "'");
    _opts.delimiter = delim[0];
    _opts.hasHeader = static_cast<int>(argInt("has_header", -1));
    _opts.labelColumn = argString("label_column", "");
    _opts.labelIndex = argInt("label_index", -1);
    _opts.numClasses = argInt("num_classes", 0);
    std::string ld = argString("label_dtype", "int32");
    if (ld != "int32" && ld != "float32") fail(codes::kInvalidArgument, "Expected label_dtype 'int32' or 'float32' but received '" + ld + "'");
    _opts.labelDtype = ld == "int32" ? DType::Int32 : DType::Float32;
  }
  void run(RunContext&) override {
    FileBytes file(_path);
    CsvTable t = parseCsv(file, _opts);
    output(0) = std::move(t.features);
    output(1) = std::move(t.labels);
  }

 private:
  std::string _path;
  CsvOptions _opts;
};

class ReadIdxFileOp final : public Operator {
 public:
  ReadIdxFileOp(const OperatorDef& def, Workspace& ws) : Operator(def, ws), _path(argString("path", "")) {
    if (_path.empty()) fail(codes::kInvalidArgument, "Expected a 'path' argument");
    _opts.dtype = argString("dtype", "");
    _opts.scale = argFloat("scale", 1.0);
    _opts.flatten = argInt("flatten", 0) != 0;
    _opts.numClasses = argInt("num_classes", 0);
  }
  void run(RunContext&) override {
    FileBytes file(_path);
    output(0) = parseIdx(file, _opts);
  }

 private:
  std::string _path;
  IdxOptions _opts;
};

class ReadRawArrayFileOp final : public Operator {
 public:
  ReadRawArrayFileOp(const OperatorDef& def, Workspace& ws)
      : Operator(def, ws), _path(argString("path", "")), _shape(argInts("shape", {-1})), _offset(argInt("offset", 0)) {
    if (_path.empty()) fail(codes::kInvalidArgument, "Expected a 'path' argument");
    std::string dt = argString("dtype", "float32");
    if (!parseDtype(dt, &_dtype)) fail(codes::kInvalidArgument, "Expected a dtype name but received '" + dt + "'");
  }
  void run(RunContext&) override {
    FileBytes file(_path);
    output(0) = parseRawArray(file, _dtype, _shape, _offset);
  }

 private:
  std::string _path;
  DType _dtype = DType::Float32;
  Shape _shape;
  int64_t _offset;
};

}  // namespace

HW_REGISTER_OP(ReadFastTextFile, ReadFastTextFileOp)
    .inputs(0, 1)
    .outputs(3, 6)
    .argList({"path", "index_dtype", "label_prefix", "min_count", "min_count_label", "word_ngrams", "bucket", "minn", "maxn",
              "max_line_bytes", "skip_invalid", "check_utf8", "unsupervised", "pretrained_vectors", "threads", "once"})
    .describe("Reads a fastText supervised file into (labels, lengths, ids[, labelSetLengths, labelSetValues]) on `threads` threads (`unsupervised`: word ids "
              "per line piece, labels 0); builds the dictionary unless one is given; with `once`, the given dictionary keeps the encoding and later runs share it.");
HW_REGISTER_OP(BuildFastTextDictionary, BuildFastTextDictionaryOp)
    .inputs(0)
    .outputs(1)
    .argList({"path", "label_prefix", "min_count", "min_count_label", "word_ngrams", "bucket", "minn", "maxn", "max_line_bytes",
              "skip_invalid", "check_utf8", "unsupervised", "threads", "pretrained_vectors"})
    .describe("Builds the dictionary of a fastText supervised file (fastText's counting and order) on `threads` threads; "
              "`unsupervised` (word vectors) requires no label.");
HW_REGISTER_OP(ReadCsvFile, ReadCsvFileOp)
    .inputs(0)
    .outputs(2)
    .argList({"path", "delimiter", "has_header", "label_column", "label_index", "num_classes", "label_dtype"})
    .describe("Reads a CSV of numeric columns into (features float32 [N, C-1], labels [N]).");
HW_REGISTER_OP(ReadIdxFile, ReadIdxFileOp)
    .inputs(0)
    .outputs(1)
    .argList({"path", "dtype", "scale", "flatten", "num_classes"})
    .describe("Reads an IDX file (MNIST format, gzipped or not).");
HW_REGISTER_OP(ReadRawArrayFile, ReadRawArrayFileOp)
    .inputs(0)
    .outputs(1)
    .argList({"path", "dtype", "shape", "offset"})
    .describe("Reads a raw little-endian array of the given dtype and shape (one dim may be -1).");

}  // namespace hogwild
