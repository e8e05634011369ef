// Replays every file of test/checkpoint/corpus/ (hand-made bad files, valid
// files and minimized fuzzer finds) through the fuzz target's entry point, so
// the ordinary ctest run (and its ASan/UBSan build) catches a regression of
// anything the fuzzer ever found. Run scripts/fuzz-checkpoint.sh to fuzz.
#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "fuzz_checkpoint.cc"

namespace {
std::string corpusDir() {
  std::string here = __FILE__;  // .../native/tests/test_checkpoint_corpus.cc
  return here.substr(0, here.rfind("/native/tests/")) + "/test/checkpoint/corpus";
}
}  // namespace

TEST(replay_corpus) {
  std::string dir = corpusDir();
  DIR* d = ::opendir(dir.c_str());
  CHECK(d != nullptr);
  if (!d) return;
  int files = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() < 4 || (name.compare(name.size() - 4, 4, ".bin") != 0 && name.rfind("crash-", 0) != 0)) continue;
    std::ifstream in(dir + "/" + name, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());  // aborts on a bug
    ++files;
  }
  ::closedir(d);
  CHECK(files >= 60);
}

HWTEST_MAIN()
