#include "objects.h"

#include <cstring>
#include <map>

namespace hogwild {

// ---- Counter ----

bool Counter::serialize(Tensor* out) const {
  out->resize(DType::Int64, {1});
  out->data<int64_t>()[0] = count();
  return true;
}

void Counter::deserialize(const Tensor& in) {
  HW_CHECK(in.initialized() && in.dtype() == DType::Int64 && in.numel() == 1, codes::kCheckpointCorrupt,
           "Expected an int64 tensor with 1 element for a counter but received "
               << (in.initialized() ? dtypeName(in.dtype()) : "nothing") << " " << shapeString(in.shape()));
  _count.store(in.data<int64_t>()[0]);
}

// ---- Timer ----

Timer::Timer(std::string name) : _name(std::move(name)) { begin(); }

bool Timer::running() const {
  std::lock_guard<std::mutex> lock(_mu);
  return _running;
}

void Timer::begin() {
  std::lock_guard<std::mutex> lock(_mu);
  _start = std::chrono::steady_clock::now();
  _running = true;
}

bool Timer::elapsedNs(int64_t* ns) const {
  std::lock_guard<std::mutex> lock(_mu);
  if (!_running) return false;
  *ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - _start).count();
  return true;
}

bool Timer::end(int64_t* ns) {
  std::lock_guard<std::mutex> lock(_mu);
  if (!_running) return false;
  if (ns) *ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - _start).count();
  _running = false;
  return true;
}

// ---- StringList ----

namespace {
void putU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t getU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
}  // namespace

bool StringList::serialize(Tensor* out) const {
  HW_CHECK(_values.size() <= UINT32_MAX, codes::kInvalidArgument,
           "Expected at most 2^32-1 strings in a string list but it holds " << _values.size());
  uint64_t bytes = 4 + 4 * static_cast<uint64_t>(_values.size());
  for (const auto& s : _values) {
    HW_CHECK(s.size() <= UINT32_MAX, codes::kInvalidArgument, "Expected strings under 4 GiB in a string list");
    bytes += s.size();
  }
  out->resize(DType::Uint8, {static_cast<int64_t>(bytes)});
  uint8_t* p = out->data<uint8_t>();
  putU32(p, static_cast<uint32_t>(_values.size()));
  p += 4;
  for (const auto& s : _values) {
    putU32(p, static_cast<uint32_t>(s.size()));
    p += 4;
  }
  for (const auto& s : _values) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  return true;
}

void StringList::deserialize(const Tensor& in) {
  HW_CHECK(in.initialized() && in.dtype() == DType::Uint8 && in.ndim() == 1, codes::kCheckpointCorrupt,
           "Expected a 1-D uint8 tensor for a string list but received "
               << (in.initialized() ? dtypeName(in.dtype()) : "nothing") << " " << shapeString(in.shape()));
  const uint8_t* p = in.data<uint8_t>();
  const uint64_t size = static_cast<uint64_t>(in.numel());
  HW_CHECK(size >= 4, codes::kCheckpointCorrupt, "Expected at least 4 bytes for a string list but received " << size);
  const uint64_t count = getU32(p);
  HW_CHECK(4 + 4 * count <= size, codes::kCheckpointCorrupt,
           "Expected " << count << " string lengths in a string list of " << size << " bytes");
  uint64_t total = 4 + 4 * count;
  for (uint64_t i = 0; i < count; ++i) total += getU32(p + 4 + 4 * i);
  HW_CHECK(total == size, codes::kCheckpointCorrupt,
           "Expected a string list of " << total << " bytes but received " << size);
  std::vector<std::string> values;
  values.reserve(count);
  const uint8_t* bytes = p + 4 + 4 * count;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t len = getU32(p + 4 + 4 * i);
    values.emplace_back(reinterpret_cast<const char*>(bytes), len);
    bytes += len;
  }
  _values = std::move(values);
}

// ---- Kinds by name ----

namespace {
std::map<std::string, ObjectFactory>& kinds() {
  static std::map<std::string, ObjectFactory> m;  // filled by static registrars, then read-only
  return m;
}
}  // namespace

bool registerObjectKind(const char* kind, ObjectFactory factory) {
  return kinds().emplace(kind, factory).second;
}

std::shared_ptr<BlobObject> newObjectOfKind(const std::string& kind) {
  auto it = kinds().find(kind);
  HW_CHECK(it != kinds().end(), codes::kBlobKind, "Unknown blob kind '" << kind << "'");
  return it->second();
}

std::vector<std::string> objectKinds() {
  std::vector<std::string> out;
  for (const auto& kv : kinds()) out.push_back(kv.first);
  return out;
}

HW_REGISTER_OBJECT_KIND(Counter);
HW_REGISTER_OBJECT_KIND(StringList);

}  // namespace hogwild
