#pragma once
// Numeric file formats: CSV of numeric columns with a label column, IDX (the
// MNIST / Fashion-MNIST format) and raw little-endian arrays. Each parser
// checks every size against the file before reading, and reports malformed
// input as HOGWILD_DATA naming the file and the line, column or field.
#include <cstdint>
#include <string>
#include <vector>

#include "../core/tensor.h"
#include "file_bytes.h"

namespace hogwild::data {

struct CsvOptions {
  char delimiter = ',';
  int hasHeader = -1;          // -1: a first line with a non-numeric field is a header
  std::string labelColumn;     // by header name, or…
  int64_t labelIndex = -1;     // …by index (negative counts from the end)
  int64_t numClasses = 0;      // > 0: labels must lie in [0, numClasses)
  DType labelDtype = DType::Int32;  // Int32 (class ids) or Float32 (targets)
};

struct CsvTable {
  Tensor features;  // float32 [rows, columns - 1]
  Tensor labels;    // int32 or float32 [rows]
  std::vector<std::string> header;
};

CsvTable parseCsv(const FileBytes& file, const CsvOptions& options);

struct IdxOptions {
  // Output dtype: "" keeps the file's type (int8/int16 widen to int32);
  // "float32" converts and multiplies by `scale`; "int32"/"int64" convert.
  std::string dtype;
  double scale = 1.0;
  bool flatten = false;     // [N, d1, d2…] -> [N, d1*d2*…]
  int64_t numClasses = 0;   // > 0: every value must lie in [0, numClasses)
};

Tensor parseIdx(const FileBytes& file, const IdxOptions& options);

// `shape` may hold one -1, inferred from the file size.
Tensor parseRawArray(const FileBytes& file, DType dtype, Shape shape, int64_t offsetBytes);

}  // namespace hogwild::data
