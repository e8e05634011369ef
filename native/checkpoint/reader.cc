#include "reader.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>

#include "crc32c.h"
#include "errors.h"
#include "staging.h"

namespace hogwild::ckpt {

CheckpointFile CheckpointFile::open(const std::string& path) {
  uint64_t size = 0;
  Fd fd = openRegularForRead(path, &size);
  try {
    uint8_t prefix[8];
    if (size < 8) HW_CORRUPT(reasons::kTruncated, "Checkpoint is " << size << " bytes, shorter than its 8-byte prefix");
    readAllAt(fd.get(), prefix, 8, 0, path);
    uint64_t n = parseHeaderLength(prefix, size);
    std::string bytes(8 + static_cast<size_t>(n), '\0');
    std::memcpy(bytes.data(), prefix, 8);
    readAllAt(fd.get(), bytes.data() + 8, static_cast<size_t>(n), 8, path);
    Header header = parseHeader(bytes, size);
    return CheckpointFile(path, std::move(fd), size, std::move(header));
  } catch (const CorruptError& e) {
    // Name the file in every corruption message.
    if (std::strstr(e.what(), path.c_str())) throw;
    throw CorruptError(e.reason(), std::string(e.what()) + " (file '" + path + "')");
  }
}

Header CheckpointFile::parseBytes(const uint8_t* data, size_t n) {
  if (n < 8) HW_CORRUPT(reasons::kTruncated, "Checkpoint is " << n << " bytes, shorter than its 8-byte prefix");
  uint64_t headerBytes = parseHeaderLength(data, n);
  return parseHeader(std::string_view(reinterpret_cast<const char*>(data), 8 + static_cast<size_t>(headerBytes)), n);
}

void CheckpointFile::verifyData() const {
  std::vector<const Entry*> all;
  for (const auto& e : _header.entries) all.push_back(&e);
  verifyMapped(*mapping(), _header, all, _path);
}

const std::shared_ptr<MappedFile>& CheckpointFile::mapping() const {
  if (!_mapping) _mapping = MappedFile::map(_fd.get(), _size, _path);
  return _mapping;
}

std::vector<StagedBlob> stageBlobs(const CheckpointFile& file, const std::vector<std::string>& names,
                                   const StageOptions& options) {
  std::vector<const Entry*> wanted;
  if (options.all) {
    for (const auto& e : file.header().entries) wanted.push_back(&e);
  } else {
    std::set<std::string> seen;
    for (const auto& n : names) {
      if (!seen.insert(n).second) continue;
      const Entry* e = file.header().find(n);
      if (!e) {
        if (options.allowMissing) continue;
        HW_CORRUPT(reasons::kMissingBlob, "Blob '" << n << "' is not in checkpoint '" << file.path() << "'");
      }
      wanted.push_back(e);
    }
  }
  const std::shared_ptr<MappedFile>& mapping = file.mapping();
  verifyMapped(*mapping, file.header(), wanted, file.path());
  // Aliasing pointers into the mapping: each keeps the whole mapping alive.
  std::shared_ptr<uint8_t> base(mapping, mapping->data());
  std::vector<StagedBlob> out(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    const Entry* e = wanted[i];
    StagedBlob& s = out[i];
    s.name = e->name;
    s.kind = e->kind;
    uint8_t* bytes = mapping->data() + file.header().dataStart + e->begin;
    const bool tensor = e->kind == kTensorKind;
    auto inPlace = options.inPlace.find(e->name);
    if (!tensor || options.mapAll || options.mapNames.count(e->name)) {
      // Objects only read their bytes while being decoded.
      s.tensor = Tensor::fromExternal(e->dtype, e->shape, std::shared_ptr<uint8_t>(base, bytes));
    } else if (inPlace != options.inPlace.end() && inPlace->second.first == e->dtype && inPlace->second.second == e->shape) {
      s.tensor = Tensor::fromExternal(e->dtype, e->shape, std::shared_ptr<uint8_t>(base, bytes));
      s.copyFrom = bytes;
      s.mapping = mapping;
    } else {
      s.tensor = Tensor::fromExternal(e->dtype, e->shape, allocateStaging(static_cast<size_t>(e->bytes())));
      parallelCopy(s.tensor.raw(), bytes, static_cast<size_t>(e->bytes()));
    }
  }
  return out;
}

std::vector<StagedBlob> readBlobs(const CheckpointFile& file, const std::vector<std::string>& names, bool all,
                                  bool allowMissing) {
  StageOptions options;
  options.all = all;
  options.allowMissing = allowMissing;
  return stageBlobs(file, names, options);
}

}  // namespace hogwild::ckpt
