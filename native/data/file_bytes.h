#pragma once
// The bytes of an input file, memory-mapped (plain files) or inflated into
// memory (gzip files, detected by their magic bytes). Parsers read through
// data()/size() and never past size().
//
// gzip: zlib is not linked. Inside Node the process already exports zlib's
// symbols (node bundles zlib and exports it for addons), so they are looked
// up at run time with dlsym; elsewhere (the C++ tests) libz.so.1 is opened.
// When neither is found, or zlib.h was absent at build time, a gzip file fails
// with HOGWILD_IO and a hint to gunzip it first.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hogwild::data {

class FileBytes {
 public:
  // Throws HOGWILD_IO naming the path and the OS error. `maxInflated` bounds
  // the size of a decompressed gzip file (a guard against gzip bombs).
  explicit FileBytes(const std::string& path, uint64_t maxInflated = uint64_t{1} << 34);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  const uint8_t* data() const { return _data; }
  size_t size() const { return _size; }
  const std::string& path() const { return _path; }
  bool wasGzipped() const { return _gzipped; }

 private:
  void inflateFrom(const uint8_t* src, size_t n, uint64_t maxInflated);

  std::string _path;
  const uint8_t* _data = nullptr;
  size_t _size = 0;
  void* _map = nullptr;
  size_t _mapSize = 0;
  std::vector<uint8_t> _inflated;
  bool _gzipped = false;
};

// True when gzip input can be read in this process.
bool gzipAvailable();

}  // namespace hogwild::data
