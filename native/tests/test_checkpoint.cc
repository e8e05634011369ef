// Checkpoint format, writer and loader (native/checkpoint): CRC32C, the strict
// JSON parser, header round trips, the loader's checks, the commit protocol's
// failure cleanup and the all-or-nothing swap into a workspace.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "../checkpoint/crc32c.h"
#include "../checkpoint/errors.h"
#include "../checkpoint/json.h"
#include "../checkpoint/reader.h"
#include "../checkpoint/workspace_io.h"
#include "../checkpoint/writer.h"
#include "../core/objects.h"
#include "check.h"

using namespace hogwild;
using namespace hogwild::ckpt;

namespace {

std::string tempDir() {
  char tmpl[] = "/tmp/hw-ckpt-test-XXXXXX";
  char* d = ::mkdtemp(tmpl);
  if (!d) std::abort();
  return d;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The reason of the CorruptError `body` throws, or "" when it throws none.
template <typename F> std::string corruptReason(F&& body) {
  try {
    body();
  } catch (const CorruptError& e) {
    return e.reason();
  } catch (const std::exception& e) {
    return std::string("other: ") + e.what();
  }
  return "";
}

Tensor floats(std::vector<float> v, Shape shape) {
  Tensor t(DType::Float32, std::move(shape));
  std::memcpy(t.raw(), v.data(), v.size() * 4);
  return t;
}

// A small valid file: {"w": F32 [2,2], "b": I64 [1], "c": counter}.
std::string sampleFile(const std::string& dir, int64_t epoch = 3) {
  Workspace ws;
  ws.createBlob("w").mutableTensor() = floats({1, 2, 3, 4}, {2, 2});
  Tensor& b = ws.createBlob("b").mutableTensor();
  b.resize(DType::Int64, {1});
  b.data<int64_t>()[0] = 42;
  ws.createBlob("c").setObject(std::make_shared<Counter>(7));
  SaveRequest req;
  req.path = dir + "/node.3";
  req.epoch = epoch;
  req.node = "node";
  req.items = captureBlobs(ws, {"w", "b", "c"});
  writeCheckpoint(req);
  return req.path;
}

// Rewrites the header text of a file (keeping its data) and fixes header_crc32c.
std::string withHeader(const std::string& file, std::string json, bool fixCrc = true) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<uint8_t>(file[i])) << (8 * i);
  std::string data = file.substr(8 + n);
  while ((8 + json.size()) % 8) json += ' ';
  std::string out(8, '\0');
  uint64_t m = json.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((m >> (8 * i)) & 0xFF);
  out += json;
  if (fixCrc) {
    size_t at = out.find("\"header_crc32c\":\"");
    if (at != std::string::npos) {
      at += 17;
      out.replace(at, 8, "00000000");
      char hex[9];
      std::snprintf(hex, sizeof hex, "%08x", crc32c(out.data(), out.size()));
      out.replace(at, 8, hex);
    }
  }
  return out + data;
}

std::string headerOf(const std::string& file) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<uint8_t>(file[i])) << (8 * i);
  std::string h = file.substr(8, n);
  while (!h.empty() && h.back() == ' ') h.pop_back();
  return h;
}

std::string replaceOnce(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  if (at == std::string::npos) {
    std::fprintf(stderr, "  pattern not found: %s\n", from.c_str());
    ++::hwtest::failures();
    return s;
  }
  return s.replace(at, from.size(), to);
}

class NullHandler final : public json::Handler {
 public:
  void beginObject(json::Span) override {}
  void key(std::string&&, json::Span) override {}
  void endObject() override {}
  void beginArray(json::Span) override {}
  void endArray() override {}
  void string(std::string&& v, json::Span) override { last = v; }
  void integer(int64_t v, json::Span) override { lastInt = v; }
  void boolean(bool, json::Span) override {}
  void null(json::Span) override {}
  std::string last;
  int64_t lastInt = 0;
};

std::string jsonReason(const std::string& text) {
  NullHandler h;
  return corruptReason([&] { json::parse(text, h); });
}

}  // namespace

TEST(crc32c_known_vectors) {
  CHECK(crc32c("123456789", 9) == 0xE3069283u);
  CHECK(crc32c("", 0) == 0);
  std::string zeros(32, '\0');
  CHECK(crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);  // RFC 3720 B.4
  std::vector<uint8_t> buf(200000);
  std::mt19937 rng(1);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{24575}, size_t{24576}, size_t{24577}, size_t{100003}, buf.size()}) {
    CHECK(crc32c(buf.data(), n) == crc32cExtendPortable(0, buf.data(), n));
    size_t half = n / 3;
    CHECK(crc32cExtend(crc32c(buf.data(), half), buf.data() + half, n - half) == crc32c(buf.data(), n));
  }
}

TEST(json_accepts_strict_subset) {
  NullHandler h;
  json::parse("{\"a\":{\"b\":[1,2,9007199254740991]}} \t\r\n", h);
  CHECK(h.lastInt == 9007199254740991);
  json::parse("{\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\"}", h);
  CHECK(h.last == "\xC3\xA9\xF0\x9F\x98\x80\n\"");
  CHECK(jsonReason("{\"k\":\"\xE2\x82\xAC\"}").empty());
}

TEST(json_rejects_each_violation) {
  CHECK(jsonReason("{\"a\":1,\"a\":2}") == reasons::kJsonDuplicateKey);
  CHECK(jsonReason("{\"a\":{\"b\":{\"c\":1}}}").empty());  // scalars do not add depth
  CHECK(jsonReason("{\"a\":{\"b\":[[1]]}}") == reasons::kJsonDepth);
  CHECK(jsonReason("{\"a\":{\"b\":{\"c\":{}}}}") == reasons::kJsonDepth);
  CHECK(jsonReason(std::string(100000, '[')) == reasons::kJsonDepth);
  CHECK(jsonReason("{\"a\":9007199254740992}") == reasons::kJsonNumber);
  CHECK(jsonReason("{\"a\":1.5}") == reasons::kJsonNumber);
  CHECK(jsonReason("{\"a\":1e3}") == reasons::kJsonNumber);
  CHECK(jsonReason("{\"a\":01}") == reasons::kJsonSyntax);
  CHECK(jsonReason("{\"a\":-}") == reasons::kJsonSyntax);
  CHECK(jsonReason("{\"a\":\"\x01\"}") == reasons::kJsonString);
  CHECK(jsonReason("{\"a\":\"\xC0\xAF\"}") == reasons::kJsonString);      // overlong
  CHECK(jsonReason("{\"a\":\"\xED\xA0\x80\"}") == reasons::kJsonString);  // surrogate
  CHECK(jsonReason("{\"a\":\"\xF4\x90\x80\x80\"}") == reasons::kJsonString);
  CHECK(jsonReason("{\"a\":\"\\ud800\"}") == reasons::kJsonString);
  CHECK(jsonReason("{\"a\":\"\\udc00\"}") == reasons::kJsonString);
  CHECK(jsonReason("{\"a\":\"\\x\"}") == reasons::kJsonString);
  CHECK(jsonReason("{\"a\":\"abc") == reasons::kJsonString);
  CHECK(jsonReason("{\"a\":1} x") == reasons::kJsonSyntax);
  CHECK(jsonReason("{\"a\":1,}") == reasons::kJsonSyntax);
  CHECK(jsonReason("{\"a\" 1}") == reasons::kJsonSyntax);
  CHECK(jsonReason("{\"a\":tru}") == reasons::kJsonSyntax);
  CHECK(jsonReason("") == reasons::kJsonSyntax);
  std::string longArray = "{\"a\":{\"b\":[";
  for (int i = 0; i < 100; ++i) longArray += i ? ",0" : "0";
  CHECK(jsonReason(longArray + "]}}") == reasons::kJsonLimit);
}

TEST(round_trip_tensors_objects_and_empty) {
  std::string dir = tempDir();
  Workspace ws;
  ws.createBlob("w").mutableTensor() = floats({1.5f, -2, 3, 4, 5, 6}, {2, 3});
  Tensor& d = ws.createBlob("d").mutableTensor();
  d.resize(DType::Float64, {});
  d.data<double>()[0] = 0.25;
  Tensor& flags = ws.createBlob("flags").mutableTensor();
  flags.resize(DType::Bool, {3});
  flags.data<bool>()[0] = true;
  flags.data<bool>()[1] = false;
  flags.data<bool>()[2] = true;
  Tensor& big = ws.createBlob("big").mutableTensor();
  big.resize(DType::Int32, {3 << 20});  // 12 MiB: exercises the chunked direct path
  for (int64_t i = 0; i < big.numel(); ++i) big.data<int32_t>()[i] = static_cast<int32_t>(i * 7);
  ws.createBlob("counter").setObject(std::make_shared<Counter>(-3));
  ws.createBlob("names").setObject(std::make_shared<StringList>(std::vector<std::string>{"a", "", "\xC3\xA9"}));
  ws.createBlob("nothing");
  ws.createBlob("odd \"name\"\\/with:chars").mutableTensor() = floats({8}, {1});

  SaveRequest req;
  req.path = dir + "/trainer_0.12";
  req.epoch = 12;
  req.node = "trainer_0";
  req.meta = {{"note", "hi"}};
  std::vector<std::string> names = ws.localBlobNames();
  req.items = captureBlobs(ws, names);
  SaveResult r = writeCheckpoint(req);
  struct stat st;
  CHECK(::stat(req.path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == r.bytes);

  CheckpointFile f = CheckpointFile::open(req.path);
  CHECK(f.header().epoch == 12);
  CHECK(f.header().node == "trainer_0");
  CHECK(f.header().meta.size() == 1 && f.header().meta[0].second == "hi");
  CHECK(f.header().entries.size() == names.size());
  CHECK(f.header().dataStart % 8 == 0);
  for (const auto& e : f.header().entries) CHECK(e.begin % dtypeSize(e.dtype) == 0);
  f.verifyData();

  Workspace other;
  other.createBlob("w").mutableTensor() = floats({0}, {1});
  applyBlobs(other, readBlobs(f, {}, true, false));
  CHECK(other.localBlobNames() == names);
  const Tensor& w = other.getBlob("w").tensor("w");
  CHECK(w.shape() == (Shape{2, 3}) && w.data<float>()[0] == 1.5f && w.data<float>()[5] == 6);
  CHECK(other.getBlob("d").tensor("d").data<double>()[0] == 0.25);
  CHECK(other.getBlob("flags").tensor("flags").data<bool>()[2]);
  const Tensor& big2 = other.getBlob("big").tensor("big");
  CHECK(big2.numel() == (3 << 20) && big2.data<int32_t>()[(3 << 20) - 1] == static_cast<int32_t>(((3 << 20) - 1) * 7));
  CHECK(other.getBlob("counter").object<Counter>("counter").count() == -3);
  CHECK((other.getBlob("names").object<StringList>("names").values() == std::vector<std::string>{"a", "", "\xC3\xA9"}));
  CHECK(other.getBlob("nothing").isEmpty());
  CHECK(other.getBlob("odd \"name\"\\/with:chars").tensor("odd").data<float>()[0] == 8);
}

TEST(save_rejects_bad_names_and_unsaveable_kinds) {
  std::string dir = tempDir();
  Workspace ws;
  ws.createBlob("t").setObject(std::make_shared<Timer>());
  CHECK_THROWS_CODE(captureBlobs(ws, {"t"}), codes::kBlobKind);
  CHECK_THROWS_CODE(captureBlobs(ws, {"missing"}), codes::kMissingBlob);
  for (std::string bad : {std::string("__metadata__"), std::string(""), std::string("a\nb"), std::string("x\xFFy")}) {
    SaveRequest req;
    req.path = dir + "/n.1";
    req.node = "n";
    req.items.push_back({bad, kTensorKind, floats({1}, {1})});
    CHECK_THROWS_CODE(writeCheckpoint(req), codes::kInvalidArgument);
  }
  CHECK(::access((dir + "/n.1").c_str(), F_OK) != 0);
}

TEST(save_failure_removes_temp_and_keeps_old_file) {
  std::string dir = tempDir();
  std::string path = sampleFile(dir);
  std::string before = readFile(path);
  // A directory under the temp name makes open fail; a read-only dir makes it EACCES for non-root.
  SaveRequest req;
  req.path = dir + "/missing-dir/node.3";
  req.node = "node";
  req.items.push_back({"w", kTensorKind, floats({1}, {1})});
  bool threw = false;
  try {
    writeCheckpoint(req);
  } catch (const IoError& e) {
    threw = std::string(e.code()) == "ENOENT" && std::string(e.syscall()) == "open";
  }
  CHECK(threw);
  // Rename onto a directory fails (EISDIR) after everything was written: the temp must go.
  ::mkdir((dir + "/node.4").c_str(), 0755);
  req.path = dir + "/node.4";
  threw = false;
  try {
    writeCheckpoint(req);
  } catch (const IoError& e) {
    threw = std::string(e.syscall()) == "rename";
  }
  CHECK(threw);
  int leftovers = 0;
  for (const char* name : {"node.4.tmp-"}) {
    std::string cmd = std::string("ls ") + dir + " | grep -c " + name + " > " + dir + "/count";
    CHECK(std::system(cmd.c_str()) >= 0);
    leftovers = std::atoi(readFile(dir + "/count").c_str());
  }
  CHECK(leftovers == 0);
  CHECK(readFile(path) == before);
}

TEST(temp_names) {
  std::string final, tmp = tempPathFor("/d/trainer_0.5");
  long pid = -1;
  CHECK(parseTempName(baseName(tmp), &final, &pid));
  CHECK(final == "trainer_0.5" && pid == ::getpid());
  CHECK(!parseTempName("trainer_0.5", &final, &pid));
  CHECK(!parseTempName("x.tmp-1-2.7", &final, &pid));
  CHECK(!parseTempName("a.5.tmp-1-deadbeef.3", &final, &pid));
}

TEST(loader_rejects_each_header_check) {
  std::string dir = tempDir();
  std::string good = readFile(sampleFile(dir));
  std::string h = headerOf(good);
  auto reasonOf = [&](const std::string& bytes) {
    writeFile(dir + "/bad", bytes);
    return corruptReason([&] { CheckpointFile::open(dir + "/bad").verifyData(); });
  };
  auto reasonOfHeader = [&](const std::string& json) { return reasonOf(withHeader(good, json)); };
  CHECK(reasonOf(good).empty());
  CHECK(reasonOfHeader(h).empty());

  // Sizes and framing.
  CHECK(reasonOf("") == reasons::kTruncated);
  CHECK(reasonOf(std::string(7, '\0')) == reasons::kTruncated);
  CHECK(reasonOf(std::string(8, '\0')) == reasons::kHeaderSize);
  CHECK(reasonOf(std::string(8, '\xFF') + "{}") == reasons::kHeaderSize);
  std::string huge = good;
  huge[0] = static_cast<char>(0xF0);  // N grows by 240: past the end
  CHECK(reasonOf(huge) == reasons::kTruncated);
  CHECK(reasonOf(good.substr(0, good.size() - 1)) == reasons::kTruncated);
  CHECK(reasonOf(good.substr(0, 40)) == reasons::kTruncated);
  CHECK(reasonOf(good + "x") == reasons::kLayout);
  CHECK(reasonOf(withHeader(good, " " + h)) == reasons::kHeaderStart);
  CHECK(reasonOf(withHeader(good, "[" + h.substr(1))) == reasons::kHeaderStart);

  // JSON.
  CHECK(reasonOfHeader(h.substr(0, h.size() - 1)) == reasons::kJsonSyntax);
  CHECK(reasonOfHeader(replaceOnce(h, "\"node\":\"node\"", "\"node\":\"node\",\"node\":\"x\"")) == reasons::kJsonDuplicateKey);
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", "[[2],2]")) == reasons::kJsonDepth);
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", "[2,9007199254740993]")) == reasons::kJsonNumber);
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", "[2.0,2]")) == reasons::kJsonNumber);
  CHECK(reasonOfHeader(replaceOnce(h, "\"node\":\"node\"", "\"node\":\"n\xFF\"")) == reasons::kJsonString);

  // Schema.
  CHECK(reasonOfHeader(replaceOnce(h, "\"dtype\":\"F32\"", "\"dtype\":32")) == reasons::kSchema);
  CHECK(reasonOfHeader(replaceOnce(h, "\"dtype\":\"F32\",", "")) == reasons::kSchema);
  CHECK(reasonOfHeader(replaceOnce(h, "\"dtype\":\"F32\"", "\"dtype\":\"F32\",\"extra\":1")) == reasons::kSchema);
  CHECK(reasonOfHeader(replaceOnce(h, "\"data_offsets\":[0,8]", "\"data_offsets\":[0]")) == reasons::kSchema);
  CHECK(reasonOfHeader(replaceOnce(h, "\"node\":\"node\"", "\"node\":3")) == reasons::kSchema);
  CHECK(reasonOfHeader(replaceOnce(h, "\"node\":\"node\"", "\"node\":null")) == reasons::kSchema);
  CHECK(reasonOfHeader(replaceOnce(h, "\"w\":{", "\"w\":[],\"v\":{")) == reasons::kSchema);

  // Names, dtypes, shapes, offsets.
  CHECK(reasonOfHeader(replaceOnce(h, "\"w\":{", "\"\":{")) == reasons::kTensorName);
  CHECK(reasonOfHeader(replaceOnce(h, "\"w\":{", "\"w\\u0000x\":{")) == reasons::kTensorName);
  CHECK(reasonOfHeader(replaceOnce(h, "\"F32\"", "\"F16\"")) == reasons::kDtype);
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", "[2,-2]")) == reasons::kShape);
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", "[4294967296,4294967296,4294967296]")) == reasons::kShape);
  std::string rank33 = "[";
  for (int i = 0; i < 33; ++i) rank33 += i ? ",1" : "1";
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", rank33 + "]")) == reasons::kShape);
  CHECK(reasonOfHeader(replaceOnce(h, "[2,2]", "[2,3]")) == reasons::kOffsets);
  CHECK(reasonOfHeader(replaceOnce(h, "\"F32\"", "\"F64\"")) == reasons::kOffsets);
}

TEST(loader_rejects_layout_metadata_and_checksums) {
  std::string dir = tempDir();
  std::string good = readFile(sampleFile(dir));
  std::string h = headerOf(good);
  auto reasonOf = [&](const std::string& bytes) {
    writeFile(dir + "/bad", bytes);
    return corruptReason([&] { CheckpointFile::open(dir + "/bad").verifyData(); });
  };
  auto reasonOfHeader = [&](const std::string& json) { return reasonOf(withHeader(good, json)); };
  // Layout (sample order: b I64 [1] at [0,8], c counter I64 [1] at [8,16], w F32 [2,2] at [16,32]).
  CHECK(h.find("\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}") != std::string::npos);
  CHECK(reasonOfHeader(replaceOnce(h, "[16,32]", "[8,24]")) == reasons::kLayout);   // overlap
  CHECK(reasonOfHeader(replaceOnce(h, "[0,8]", "[8,0]")) == reasons::kOffsets);     // reversed
  CHECK(reasonOfHeader(replaceOnce(h, "[16,32]", "[24,40]")) == reasons::kLayout);  // gap
  CHECK(reasonOfHeader(replaceOnce(h, "[16,32]", "[32,48]")) == reasons::kLayout);  // out of file (gap first)
  CHECK(reasonOfHeader(replaceOnce(replaceOnce(replaceOnce(h, "[0,8]", "[8,16]"), "[8,16]", "[16,24]"), "[16,32]", "[24,40]")) ==
        reasons::kLayout);  // not from 0
  // Metadata.
  CHECK(reasonOfHeader(replaceOnce(h, "\"format\":\"hogwild\"", "\"format\":\"other\"")) == reasons::kMetadata);
  CHECK(reasonOfHeader(replaceOnce(h, "\"format_version\":\"1\"", "\"format_version\":\"2\"")) == reasons::kMetadata);
  CHECK(reasonOfHeader(replaceOnce(h, "\"epoch\":\"3\"", "\"epoch\":\"03\"")) == reasons::kMetadata);
  CHECK(reasonOfHeader(replaceOnce(h, "\"epoch\":\"3\",", "")) == reasons::kMetadata);
  CHECK(reasonOfHeader(replaceOnce(h, "\"crc32c:w\"", "\"crc32c:zz\"")) == reasons::kMetadata);  // orphan, and w lacks one
  CHECK(reasonOfHeader(replaceOnce(h, "\"kind:c\":\"counter\"", "\"kind:c\":\"bad kind!\"")) == reasons::kKind);
  CHECK(reasonOfHeader(replaceOnce(h, "\"node\":\"node\"", "\"node\":\"node\",\"surprise\":\"x\"")) == reasons::kMetadata);
  CHECK(reasonOfHeader(replaceOnce(h, "{\"__metadata__\"", "{\"__metadata__\":{},\"x__\"")) != "");
  // Header CRC: any change not re-sealed.
  CHECK(reasonOf(withHeader(good, replaceOnce(h, "\"epoch\":\"3\"", "\"epoch\":\"4\""), false)) == reasons::kHeaderChecksum);
  CHECK(reasonOf(withHeader(good, replaceOnce(h, "\"I64\"", "\"F64\""), false)) == reasons::kHeaderChecksum);
  // Data CRC.
  std::string flipped = good;
  flipped[flipped.size() - 1] ^= 0x10;
  CHECK(reasonOf(flipped) == reasons::kTensorChecksum);
  // Kind that decodes badly, and an unknown kind: rejected before the workspace changes.
  writeFile(dir + "/k", withHeader(good, replaceOnce(h, "\"kind:c\":\"counter\"", "\"kind:c\":\"stringList\"")));
  Workspace ws;
  ws.createBlob("w").mutableTensor() = floats({9}, {1});
  CHECK(corruptReason([&] { applyBlobs(ws, readBlobs(CheckpointFile::open(dir + "/k"), {}, true, false)); }) == reasons::kKind);
  writeFile(dir + "/k", withHeader(good, replaceOnce(h, "\"kind:c\":\"counter\"", "\"kind:c\":\"martian\"")));
  CHECK(corruptReason([&] { applyBlobs(ws, readBlobs(CheckpointFile::open(dir + "/k"), {}, true, false)); }) == reasons::kKind);
  CHECK(ws.localBlobNames() == std::vector<std::string>{"w"});
  CHECK(ws.getBlob("w").tensor("w").numel() == 1 && ws.getBlob("w").tensor("w").data<float>()[0] == 9);
}

TEST(loader_rejects_non_regular_files) {
  std::string dir = tempDir();
  std::string path = sampleFile(dir);
  CHECK(::symlink(path.c_str(), (dir + "/link").c_str()) == 0);
  CHECK(corruptReason([&] { CheckpointFile::open(dir + "/link"); }) == reasons::kNotRegularFile);
  CHECK(corruptReason([&] { CheckpointFile::open(dir); }) == reasons::kNotRegularFile);
  CHECK(corruptReason([&] { CheckpointFile::open("/dev/null"); }) == reasons::kNotRegularFile);
  bool enoent = false;
  try {
    CheckpointFile::open(dir + "/none");
  } catch (const IoError& e) {
    enoent = e.err() == ENOENT;
  }
  CHECK(enoent);
}

TEST(partial_load_and_missing_blobs) {
  std::string dir = tempDir();
  CheckpointFile f = CheckpointFile::open(sampleFile(dir));
  auto staged = readBlobs(f, {"w", "nope"}, false, true);
  CHECK(staged.size() == 1 && staged[0].name == "w");
  CHECK(corruptReason([&] { readBlobs(f, {"w", "nope"}, false, false); }) == reasons::kMissingBlob);
}

TEST(bool_bytes_other_than_0_1_are_rejected) {
  std::string dir = tempDir();
  Workspace ws;
  Tensor& t = ws.createBlob("f").mutableTensor();
  t.resize(DType::Uint8, {2});
  t.data<uint8_t>()[0] = 1;
  t.data<uint8_t>()[1] = 2;
  SaveRequest req;
  req.path = dir + "/n.0";
  req.node = "n";
  req.items = captureBlobs(ws, {"f"});
  writeCheckpoint(req);
  std::string bytes = readFile(req.path);
  std::string h = headerOf(bytes);
  writeFile(req.path, withHeader(bytes, replaceOnce(h, "\"U8\"", "\"BOOL\"")));
  CheckpointFile f = CheckpointFile::open(req.path);
  CHECK(corruptReason([&] { readBlobs(f, {}, true, false); }) == reasons::kDtype);
}

TEST(too_many_tensors_is_refused_before_memory_grows) {
  std::string h = "{\"__metadata__\":{}";
  for (size_t i = 0; i <= kMaxTensors; ++i) h += ",\"t" + std::to_string(i) + "\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}";
  h += "}";
  std::string file(8, '\0');
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) file[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  file += h;
  CHECK(n <= kMaxHeaderBytes);
  CHECK(corruptReason([&] { CheckpointFile::parseBytes(reinterpret_cast<const uint8_t*>(file.data()), file.size()); }) == reasons::kJsonLimit);
  SaveRequest req;
  req.path = "/tmp/never-written";
  for (size_t i = 0; i <= kMaxTensors; ++i) req.items.push_back({"t" + std::to_string(i), kTensorKind, Tensor(DType::Uint8, {0})});
  CHECK_THROWS_CODE(writeCheckpoint(req), codes::kInvalidArgument);
}

TEST(every_single_bit_flip_in_a_small_file_is_caught) {
  std::string dir = tempDir();
  std::string good = readFile(sampleFile(dir));
  int accepted = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      writeFile(dir + "/flip", bad);
      std::string r = corruptReason([&] { CheckpointFile::open(dir + "/flip").verifyData(); });
      if (r.empty() || r.rfind("other", 0) == 0) {
        ++accepted;
        if (accepted < 5) std::fprintf(stderr, "  flip at byte %zu bit %d: '%s'\n", i, bit, r.c_str());
      }
    }
  }
  CHECK(accepted == 0);
}

HWTEST_MAIN()
