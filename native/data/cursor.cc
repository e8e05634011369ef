#include "cursor.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "../core/objects.h"
#include "bytes.h"

namespace hogwild::data {

namespace {

std::vector<std::string> splitName(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t p = name.find(':', start);
    parts.push_back(name.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return parts;
}

int64_t lengthAt(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

// ---- TreeLayout -------------------------------------------------------------

TreeLayout::TreeLayout(std::vector<std::string> fields) : _fields(std::move(fields)) {
  HW_CHECK(!_fields.empty(), codes::kInvalidArgument, "Expected at least one field for a dataset cursor");
  std::vector<std::vector<std::string>> parts;
  for (const auto& f : _fields) {
    HW_CHECK(!f.empty(), codes::kInvalidArgument, "Expected non-empty dataset field names");
    parts.push_back(splitName(f));
  }
  for (size_t i = 0; i < _fields.size(); ++i)
    if (parts[i].size() > 1 && parts[i].back() == "lengths") _lengthFields.push_back(i);
  _levelOf.assign(_fields.size(), 0);
  for (size_t i = 0; i < _fields.size(); ++i) {
    size_t best = 0, bestLevel = 0;
    for (size_t j = 0; j < _lengthFields.size(); ++j) {
      size_t lf = _lengthFields[j];
      if (lf == i) continue;
      const auto& prefix = parts[lf];
      size_t n = prefix.size() - 1;  // without "lengths"
      if (parts[i].size() <= n || !std::equal(prefix.begin(), prefix.begin() + n, parts[i].begin())) continue;
      if (n > best) {
        best = n;
        bestLevel = j + 1;
      }
    }
    if (bestLevel) {
      size_t lf = _lengthFields[bestLevel - 1];
      HW_CHECK(lf < i, codes::kInvalidArgument,
               "Expected dataset field '" << _fields[i] << "' to come after its lengths field '" << _fields[lf] << "'");
    }
    _levelOf[i] = bestLevel;
  }
}

// ---- TreeCursor ---------------------------------------------------------------

int64_t TreeCursor::limitOf(const FieldViews& data, size_t level) const {
  for (size_t i = 0; i < _layout.numFields(); ++i)
    if (_layout.levelOf(i) == level) return data.tensors[i]->ndim() ? data.tensors[i]->dim(0) : 1;
  return std::numeric_limits<int64_t>::max();
}

void TreeCursor::checkConsistency(const FieldViews& data) const {
  const auto& names = _layout.fields();
  HW_CHECK(data.tensors.size() == names.size(), codes::kInvalidArgument,
           "Expected " << names.size() << " dataset fields but received " << data.tensors.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const Tensor& t = *data.tensors[i];
    HW_CHECK(t.ndim() >= 1, codes::kShapeMismatch,
             "Expected dataset field '" << names[i] << "' to have at least 1 dim but received shape " << shapeString(t.shape()));
    int64_t limit = limitOf(data, _layout.levelOf(i));
    HW_CHECK(t.dim(0) == limit, codes::kShapeMismatch,
             "Expected dataset field '" << names[i] << "' to have " << limit << " rows like the other fields of its level but received "
                                        << t.dim(0));
  }
  for (size_t level = 1; level < _layout.numLevels(); ++level) {
    size_t lf = _layout.lengthFieldOf(level);
    const Tensor& len = *data.tensors[lf];
    HW_CHECK((len.dtype() == DType::Int32 || len.dtype() == DType::Int64) && len.ndim() == 1, codes::kDtypeMismatch,
             "Expected a 1-D int32 or int64 tensor for lengths field '" << names[lf] << "' but received "
                                                                       << dtypeName(len.dtype()) << shapeString(len.shape()));
    int64_t sum = 0;
    for (int64_t k = 0; k < len.numel(); ++k) {
      int64_t v = lengthAt(len, k);
      HW_CHECK(v >= 0, codes::kData, "Expected non-negative lengths in field '" << names[lf] << "' but entry " << k << " is " << v);
      sum += v;
    }
    int64_t limit = limitOf(data, level);
    HW_CHECK(limit == std::numeric_limits<int64_t>::max() || sum == limit, codes::kData,
             "Expected the lengths in field '" << names[lf] << "' to sum to " << limit << " but they sum to " << sum);
  }
}

BatchRange TreeCursor::advance(const FieldViews& data, int64_t batchSize, bool enforceBatchSize) {
  const size_t levels = _layout.numLevels();
  BatchRange r;
  r.sizes.assign(levels, 0);
  std::lock_guard<std::mutex> lock(_mu);
  if (_offsets.size() != levels) _offsets.assign(levels, 0);
  r.offsets = _offsets;
  int64_t limit0 = limitOf(data, 0);
  int64_t take = std::min(std::max<int64_t>(limit0 - _offsets[0], 0), batchSize);
  if (enforceBatchSize && take < batchSize) return r;  // nothing read, cursor unchanged
  r.sizes[0] = take;
  for (size_t level = 1; level < levels; ++level) {
    size_t lf = _layout.lengthFieldOf(level);
    size_t parent = _layout.levelOf(lf);
    const Tensor& len = *data.tensors[lf];
    int64_t total = 0;
    for (int64_t k = 0; k < r.sizes[parent]; ++k) {
      int64_t v = lengthAt(len, _offsets[parent] + k);
      HW_CHECK(v >= 0, codes::kData,
               "Expected non-negative lengths in field '" << _layout.fields()[lf] << "' but entry " << _offsets[parent] + k << " is " << v);
      total += v;
    }
    HW_CHECK(_offsets[level] + total <= limitOf(data, level), codes::kData,
             "Inconsistent field length: the lengths in '" << _layout.fields()[lf] << "' run past the end of level " << level);
    r.sizes[level] = total;
  }
  for (size_t level = 0; level < levels; ++level) _offsets[level] += r.sizes[level];
  return r;
}

std::shared_ptr<const TreeCursor::EntryOffsets> TreeCursor::entryOffsets(const FieldViews& data) {
  std::lock_guard<std::mutex> lock(_mu);
  const size_t levels = _layout.numLevels();
  std::vector<std::pair<const void*, int64_t>> key;
  int64_t n = limitOf(data, 0);
  key.emplace_back(nullptr, n);
  for (size_t level = 1; level < levels; ++level) {
    const Tensor& len = *data.tensors[_layout.lengthFieldOf(level)];
    key.emplace_back(len.raw(), len.numel());
  }
  if (_entryOffsets && key == _entryKey) return _entryOffsets;
  auto result = std::make_shared<EntryOffsets>(levels);
  EntryOffsets& off = *result;
  off[0].resize(static_cast<size_t>(n) + 1);
  for (int64_t e = 0; e <= n; ++e) off[0][e] = e;
  for (size_t level = 1; level < levels; ++level) {
    size_t lf = _layout.lengthFieldOf(level);
    const Tensor& len = *data.tensors[lf];
    const auto& parent = off[_layout.levelOf(lf)];
    std::vector<int64_t> cum(static_cast<size_t>(len.numel()) + 1, 0);
    for (int64_t k = 0; k < len.numel(); ++k) cum[k + 1] = cum[k] + lengthAt(len, k);
    off[level].resize(static_cast<size_t>(n) + 1);
    for (int64_t e = 0; e <= n; ++e) {
      int64_t p = parent[e];
      HW_CHECK(p >= 0 && p <= len.numel(), codes::kData, "Inconsistent lengths field '" << _layout.fields()[lf] << "'");
      off[level][e] = cum[p];
    }
  }
  _entryOffsets = std::move(result);
  _entryKey = std::move(key);
  return _entryOffsets;
}

std::vector<int64_t> TreeCursor::advanceShuffled(const FieldViews& data, int64_t batchSize, bool enforceBatchSize,
                                                 uint64_t seed, bool loopOver, int64_t* passOut) {
  std::lock_guard<std::mutex> lock(_mu);
  const size_t levels = _layout.numLevels();
  if (_offsets.size() != levels) _offsets.assign(levels, 0);
  int64_t n = limitOf(data, 0);
  if (loopOver && n > 0 && _offsets[0] >= n) {
    ++_pass;
    _offsets[0] = 0;
  }
  if (_permPass != _pass || _permSeed != seed || static_cast<int64_t>(_perm.size()) != n) {
    uint64_t state = seed;
    uint64_t mixed = splitmix64(state) ^ static_cast<uint64_t>(_pass);
    _perm = seededPermutation(n, splitmix64(mixed));
    _permPass = _pass;
    _permSeed = seed;
  }
  if (passOut) *passOut = _pass;
  int64_t take = std::min(std::max<int64_t>(n - _offsets[0], 0), batchSize);
  if (take == 0 || (enforceBatchSize && take < batchSize)) return {};
  std::vector<int64_t> out(_perm.begin() + _offsets[0], _perm.begin() + _offsets[0] + take);
  _offsets[0] += take;
  return out;
}

void TreeCursor::reset() {
  std::lock_guard<std::mutex> lock(_mu);
  std::fill(_offsets.begin(), _offsets.end(), 0);
  ++_pass;
}

int64_t TreeCursor::topOffset() const {
  std::lock_guard<std::mutex> lock(_mu);
  return _offsets.empty() ? 0 : _offsets[0];
}

int64_t TreeCursor::pass() const {
  std::lock_guard<std::mutex> lock(_mu);
  return _pass;
}

std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  uint64_t state = seed;
  for (int64_t i = n - 1; i > 0; --i) {
    // Lemire's multiply-shift with rejection: unbiased and portable.
    uint64_t bound = static_cast<uint64_t>(i) + 1;
    uint64_t threshold = (0 - bound) % bound;
    unsigned __int128 m;
    do {
      m = static_cast<unsigned __int128>(splitmix64(state)) * bound;
    } while (static_cast<uint64_t>(m) < threshold);
    std::swap(p[i], p[static_cast<size_t>(m >> 64)]);
  }
  return p;
}

// ---- Serialization ---------------------------------------------------------
// uint8 tensor, little-endian: "HWTC", u32 version (1), u32 #fields,
// {u32 len, bytes} per field, u32 #offsets, i64 offsets…, i64 pass.

bool TreeCursor::serialize(Tensor* out) const {
  ByteWriter w;
  w.raw("HWTC", 4);
  w.u32(1);
  w.u32(static_cast<uint32_t>(_layout.numFields()));
  for (const auto& f : _layout.fields()) w.str(f);
  std::lock_guard<std::mutex> lock(_mu);
  w.u32(static_cast<uint32_t>(_offsets.size()));
  for (int64_t o : _offsets) w.i64(o);
  w.i64(_pass);
  w.toTensor(out);
  return true;
}

namespace {
struct Decoded {
  std::vector<std::string> fields;
  std::vector<int64_t> offsets;
  int64_t pass = 0;
};
Decoded decode(const Tensor& in) {
  ByteReader r(in, "dataset cursor");
  r.magic("HWTC");
  uint32_t version = r.u32();
  HW_CHECK(version == 1, codes::kCheckpointCorrupt, "Unsupported dataset cursor record version " << version);
  Decoded d;
  uint32_t nf = r.u32();
  HW_CHECK(nf >= 1 && nf <= 4096, codes::kCheckpointCorrupt, "Bad field count " << nf << " in a dataset cursor record");
  for (uint32_t i = 0; i < nf; ++i) d.fields.push_back(r.str(4096));
  uint32_t no = r.u32();
  HW_CHECK(no <= nf + 1, codes::kCheckpointCorrupt, "Bad offset count " << no << " in a dataset cursor record");
  for (uint32_t i = 0; i < no; ++i) {
    d.offsets.push_back(r.i64());
    HW_CHECK(d.offsets.back() >= 0, codes::kCheckpointCorrupt, "Negative offset in a dataset cursor record");
  }
  d.pass = r.i64();
  HW_CHECK(d.pass >= 0, codes::kCheckpointCorrupt, "Negative pass in a dataset cursor record");
  r.expectEnd();
  return d;
}
}  // namespace

void TreeCursor::deserialize(const Tensor& in) {
  Decoded d = decode(in);
  if (_layout.numFields() == 0) _layout = TreeLayout(d.fields);
  HW_CHECK(d.fields == _layout.fields(), codes::kCheckpointCorrupt,
           "Expected a cursor over the same dataset fields when restoring a dataset cursor");
  HW_CHECK(d.offsets.empty() || d.offsets.size() == _layout.numLevels(), codes::kCheckpointCorrupt,
           "Expected " << _layout.numLevels() << " offsets in a dataset cursor record");
  std::lock_guard<std::mutex> lock(_mu);
  _offsets = std::move(d.offsets);
  _pass = d.pass;
}

std::shared_ptr<TreeCursor> TreeCursor::fromTensor(const Tensor& in) {
  Decoded d = decode(in);
  auto c = std::make_shared<TreeCursor>(d.fields);
  c->deserialize(in);
  return c;
}

HW_REGISTER_OBJECT_KIND(TreeCursor);
HW_REGISTER_OBJECT_KIND(MutexBlob);

}  // namespace hogwild::data
