#include "numeric_files.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "../core/error.h"
#include "text.h"

namespace hogwild::data {

// ---- CSV -------------------------------------------------------------------

namespace {

std::string_view trimField(std::string_view f) {
  while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
  while (!f.empty() && (f.back() == ' ' || f.back() == '\t' || f.back() == '\r')) f.remove_suffix(1);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  return f;
}

void splitFields(std::string_view line, char delim, std::vector<std::string_view>* out) {
  out->clear();
  size_t start = 0;
  for (;;) {
    size_t p = line.find(delim, start);
    out->push_back(trimField(line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
}

bool parseNumber(std::string_view f, double* v) {
  if (f.empty()) return false;
  const char* b = f.data();
  const char* e = b + f.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, *v);
  return r.ec == std::errc() && r.ptr == e;
}

bool isBlank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

std::string printable(std::string_view s) {
  std::string out(s.substr(0, 40));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return s.size() > 40 ? out + "…" : out;
}

}  // namespace

CsvTable parseCsv(const FileBytes& file, const CsvOptions& o) {
  HW_CHECK(o.labelDtype == DType::Int32 || o.labelDtype == DType::Float32, codes::kInvalidArgument,
           "Expected label dtype int32 or float32 for CSV labels");
  LineReader lines(file.data(), file.size());
  Line line;
  std::vector<std::string_view> fields;
  CsvTable t;
  int64_t cols = -1, labelCol = -1;
  std::vector<float> feats;
  std::vector<int32_t> ilabels;
  std::vector<float> flabels;
  auto colName = [&](int64_t c) { return c < static_cast<int64_t>(t.header.size()) ? " ('" + t.header[c] + "')" : std::string(); };
  while (lines.next(&line)) {
    if (isBlank(line.text)) continue;
    int64_t bad = invalidUtf8At(line.text);
    HW_CHECK(bad < 0, codes::kData, file.path() << ":" << line.number << ": invalid UTF-8 at byte " << bad + 1);
    splitFields(line.text, o.delimiter, &fields);
    if (cols < 0) {
      cols = static_cast<int64_t>(fields.size());
      HW_CHECK(cols >= 2, codes::kData,
               file.path() << ":" << line.number << ": expected at least 2 columns (features and a label) but found " << cols);
      bool header = o.hasHeader == 1;
      if (o.hasHeader < 0) {
        double v;
        for (auto f : fields) header = header || !parseNumber(f, &v);
      }
      if (header)
        for (auto f : fields) t.header.emplace_back(f);
      if (!o.labelColumn.empty()) {
        HW_CHECK(header, codes::kInvalidArgument, "Expected a header line in '" << file.path() << "' to find label column '" << o.labelColumn << "'");
        for (int64_t c = 0; c < cols; ++c)
          if (t.header[c] == o.labelColumn) labelCol = c;
        HW_CHECK(labelCol >= 0, codes::kInvalidArgument, "Expected a column named '" << o.labelColumn << "' in '" << file.path() << "'");
      } else {
        labelCol = o.labelIndex < 0 ? cols + o.labelIndex : o.labelIndex;
        HW_CHECK(labelCol >= 0 && labelCol < cols, codes::kInvalidArgument,
                 "Expected a label column index in [" << -cols << ", " << cols << ") for '" << file.path() << "' but received " << o.labelIndex);
      }
      if (header) continue;
    }
    HW_CHECK(static_cast<int64_t>(fields.size()) == cols, codes::kData,
             file.path() << ":" << line.number << ": expected " << cols << " fields but found " << fields.size()
                         << (static_cast<int64_t>(fields.size()) < cols ? " (missing field)" : " (extra field)"));
    for (int64_t c = 0; c < cols; ++c) {
      std::string_view f = fields[c];
      HW_CHECK(!f.empty(), codes::kData, file.path() << ":" << line.number << ": column " << c + 1 << colName(c) << " is empty");
      double v;
      HW_CHECK(parseNumber(f, &v) && std::isfinite(v), codes::kData,
               file.path() << ":" << line.number << ": column " << c + 1 << colName(c) << ": expected a finite number but found '"
                           << printable(f) << "'");
      if (c != labelCol) {
        feats.push_back(static_cast<float>(v));
      } else if (o.labelDtype == DType::Float32) {
        flabels.push_back(static_cast<float>(v));
      } else {
        HW_CHECK(v == std::floor(v) && v >= 0 && v <= std::numeric_limits<int32_t>::max() && (o.numClasses <= 0 || v < o.numClasses),
                 codes::kData,
                 file.path() << ":" << line.number << ": label out of range: expected an integer class in [0, "
                             << (o.numClasses > 0 ? std::to_string(o.numClasses) : std::string("2^31")) << ") but found '"
                             << printable(f) << "'");
        ilabels.push_back(static_cast<int32_t>(v));
      }
    }
  }
  HW_CHECK(cols >= 0, codes::kData, file.path() << ": no data lines");
  int64_t rows = static_cast<int64_t>(o.labelDtype == DType::Int32 ? ilabels.size() : flabels.size());
  t.features.resize(DType::Float32, {rows, cols - 1});
  if (!feats.empty()) std::memcpy(t.features.raw(), feats.data(), feats.size() * sizeof(float));
  t.labels.resize(o.labelDtype, {rows});
  if (rows) std::memcpy(t.labels.raw(), o.labelDtype == DType::Int32 ? static_cast<const void*>(ilabels.data()) : flabels.data(), rows * 4);
  return t;
}

// ---- IDX -------------------------------------------------------------------

namespace {

struct IdxType {
  uint8_t code;
  size_t size;
  const char* name;
};
const IdxType kIdxTypes[] = {{0x08, 1, "ubyte"}, {0x09, 1, "byte"}, {0x0B, 2, "short"},
                             {0x0C, 4, "int"},   {0x0D, 4, "float"}, {0x0E, 8, "double"}};

uint64_t beUint(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

double idxValue(uint8_t code, const uint8_t* p) {
  switch (code) {
    case 0x08: return p[0];
    case 0x09: return static_cast<int8_t>(p[0]);
    case 0x0B: return static_cast<int16_t>(beUint(p, 2));
    case 0x0C: return static_cast<int32_t>(beUint(p, 4));
    case 0x0D: {
      uint32_t u = static_cast<uint32_t>(beUint(p, 4));
      float f;
      std::memcpy(&f, &u, 4);
      return f;
    }
    default: {
      uint64_t u = beUint(p, 8);
      double d;
      std::memcpy(&d, &u, 8);
      return d;
    }
  }
}

}  // namespace

Tensor parseIdx(const FileBytes& file, const IdxOptions& o) {
  const uint8_t* p = file.data();
  size_t n = file.size();
  HW_CHECK(n >= 4, codes::kData, file.path() << ": not an IDX file (" << n << " bytes, shorter than the 4-byte magic number)");
  const IdxType* type = nullptr;
  for (const auto& t : kIdxTypes)
    if (t.code == p[2]) type = &t;
  int ndim = p[3];
  char magic[16];
  std::snprintf(magic, sizeof(magic), "0x%02X%02X%02X%02X", p[0], p[1], p[2], p[3]);
  HW_CHECK(p[0] == 0 && p[1] == 0 && type && ndim >= 1 && ndim <= 8, codes::kData,
           file.path() << ": not an IDX file (magic number " << magic
                       << "; expected 0x0000, a type code 0x08/09/0B/0C/0D/0E and 1 to 8 dims)");
  HW_CHECK(n >= 4 + 4 * static_cast<size_t>(ndim), codes::kData, file.path() << ": truncated IDX header (" << ndim << " dims declared)");
  Shape shape;
  size_t header = 4 + 4 * static_cast<size_t>(ndim);
  // Count with saturation: the product of the dims must fit the file anyway.
  uint64_t count = 1, room = (n - header) / type->size;
  for (int d = 0; d < ndim; ++d) {
    shape.push_back(static_cast<int64_t>(beUint(p + 4 + 4 * d, 4)));
    uint64_t dim = static_cast<uint64_t>(shape.back());
    count = (dim != 0 && count > room / dim) ? room + 1 : count * dim;
  }
  HW_CHECK(count <= room, codes::kData,
           file.path() << ": truncated IDX data: shape " << shapeString(shape) << " of " << type->name << " needs more than the "
                       << n - header << " bytes the file holds");
  HW_CHECK(count * type->size == n - header, codes::kData,
           file.path() << ": " << (n - header) - count * type->size << " unexpected bytes after the IDX data of shape "
                       << shapeString(shape));
  const uint8_t* data = p + header;
  DType out;
  if (o.dtype.empty()) {
    out = type->code == 0x08 ? DType::Uint8 : type->code == 0x0D ? DType::Float32 : type->code == 0x0E ? DType::Float64 : DType::Int32;
  } else {
    HW_CHECK(parseDtype(o.dtype, &out) && out != DType::Bool, codes::kInvalidArgument, "Expected an IDX output dtype but received '" << o.dtype << "'");
  }
  if (o.flatten && ndim > 1) shape = {shape[0], static_cast<int64_t>(count) / std::max<int64_t>(shape[0], 1)};
  if (o.flatten && shape[0] == 0) shape = {0, 0};
  Tensor t(out, shape);
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
    double v = idxValue(type->code, data + i * type->size);
    HW_CHECK(o.numClasses <= 0 || (v >= 0 && v < o.numClasses && v == std::floor(v)), codes::kData,
             file.path() << ": label out of range: value " << v << " at index " << i << " is not a class in [0, " << o.numClasses << ")");
    double s = v * (out == DType::Float32 || out == DType::Float64 ? o.scale : 1.0);
    switch (out) {
      case DType::Float32: t.data<float>()[i] = static_cast<float>(s); break;
      case DType::Float64: t.data<double>()[i] = s; break;
      case DType::Int32: t.data<int32_t>()[i] = static_cast<int32_t>(s); break;
      case DType::Int64: t.data<int64_t>()[i] = static_cast<int64_t>(s); break;
      default:
        HW_CHECK(s >= 0 && s <= 255, codes::kData, file.path() << ": value " << s << " at index " << i << " does not fit uint8");
        t.data<uint8_t>()[i] = static_cast<uint8_t>(s);
    }
  }
  return t;
}

// ---- Raw arrays -------------------------------------------------------------

Tensor parseRawArray(const FileBytes& file, DType dtype, Shape shape, int64_t offset) {
  HW_CHECK(offset >= 0 && static_cast<uint64_t>(offset) <= file.size(), codes::kData,
           file.path() << ": offset " << offset << " is outside the file (" << file.size() << " bytes)");
  size_t item = dtypeSize(dtype);
  uint64_t avail = file.size() - static_cast<uint64_t>(offset);
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      HW_CHECK(infer < 0, codes::kInvalidArgument, "Expected at most one -1 in the shape " << shapeString(shape));
      infer = static_cast<int64_t>(i);
    } else {
      HW_CHECK(shape[i] >= 0, codes::kInvalidArgument, "Expected dims >= 0 or -1 but received " << shapeString(shape));
      HW_CHECK(shape[i] == 0 || known <= std::numeric_limits<int64_t>::max() / shape[i], codes::kInvalidArgument, "Shape too large");
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    uint64_t rowBytes = static_cast<uint64_t>(known) * item;
    HW_CHECK(rowBytes > 0 && avail % rowBytes == 0, codes::kData,
             file.path() << ": " << avail << " bytes is not a whole number of " << dtypeName(dtype) << " rows of shape " << shapeString(shape));
    shape[infer] = static_cast<int64_t>(avail / rowBytes);
  }
  int64_t count = checkedNumel(shape);
  HW_CHECK(static_cast<uint64_t>(count) * item == avail, codes::kData,
           file.path() << ": expected " << static_cast<uint64_t>(count) * item << " bytes for " << dtypeName(dtype) << shapeString(shape)
                       << " but the file holds " << avail << " after offset " << offset);
  Tensor t(dtype, shape);
  if (avail) std::memcpy(t.raw(), file.data() + offset, avail);
  if (dtype == DType::Bool)
    for (int64_t i = 0; i < count; ++i)
      HW_CHECK(static_cast<uint8_t*>(t.raw())[i] <= 1, codes::kData, file.path() << ": byte " << offset + i << " is not a bool (0 or 1)");
  return t;
}

}  // namespace hogwild::data
