#include "fasttext_retained.h"

#include <sys/stat.h>

#include <deque>
#include <mutex>
#include <sstream>

namespace hogwild::data {

namespace {

constexpr size_t kMaxRetained = 2;

struct Entry {
  std::string key;
  std::shared_ptr<FastTextDictionary> dict;
};

std::mutex gMutex;
std::deque<Entry> gEntries;

// The file (path, size, mtime) and every option that changes the dictionary or the ids.
std::string keyOf(const std::string& path, const FastTextOptions& raw) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  const FastTextOptions& o = FastTextDictionary(raw).options();  // normalized (bucket 0 without n-grams)
  std::ostringstream k;
  k << path << '\n' << st.st_size << ' ' << st.st_mtim.tv_sec << ' ' << st.st_mtim.tv_nsec << '\n'
    << o.labelPrefix << '\n' << o.minCount << ' ' << o.minCountLabel << ' ' << o.wordNgrams << ' ' << o.bucket << ' ' << o.minn
    << ' ' << o.maxn << ' ' << o.maxLineBytes << ' ' << o.skipInvalid << ' ' << o.checkUtf8 << ' ' << o.unsupervised << '\n'
    << o.pretrainedVectors;
  return k.str();
}

}  // namespace

void retainScan(const std::string& path, const FastTextOptions& opts, std::shared_ptr<FastTextDictionary> dict) {
  std::string key = keyOf(path, opts);
  if (key.empty()) return;
  std::lock_guard<std::mutex> lock(gMutex);
  for (auto it = gEntries.begin(); it != gEntries.end(); ++it) {
    if (it->key == key) {
      gEntries.erase(it);
      break;
    }
  }
  gEntries.push_back(Entry{std::move(key), std::move(dict)});
  while (gEntries.size() > kMaxRetained) gEntries.pop_front();
}

std::shared_ptr<FastTextDictionary> takeRetainedScan(const std::string& path, const FastTextOptions& opts) {
  std::string key = keyOf(path, opts);
  if (key.empty()) return nullptr;
  std::lock_guard<std::mutex> lock(gMutex);
  for (auto it = gEntries.begin(); it != gEntries.end(); ++it) {
    if (it->key == key) {
      auto dict = std::move(it->dict);
      gEntries.erase(it);
      return dict;
    }
  }
  return nullptr;
}

}  // namespace hogwild::data
