// File readers: fastText tokenization and hashing on a hand-made file (ids
// worked out by hand, cross-checked against Debian's fasttext `dump dict`),
// CSV, IDX (plain and gzipped) and raw arrays, and every kind of bad input
// failing with HOGWILD_DATA / HOGWILD_IO naming the file and line.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "../data/fasttext.h"
#include "../data/numeric_files.h"
#include "../exec/net.h"
#include "check.h"

using namespace hogwild;
using namespace hogwild::data;

namespace {

std::string tempPath(const std::string& name) {
  return "/tmp/hogwild_test_" + std::to_string(::getpid()) + "_" + name;
}

// Removes every file the tests wrote when the process ends.
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    for (const auto& p : paths) std::remove(p.c_str());
  }
};
TempFiles& tempFiles() {
  static TempFiles t;
  return t;
}

std::string writeFile(const std::string& name, const std::string& content) {
  std::string p = tempPath(name);
  std::ofstream(p, std::ios::binary) << content;
  tempFiles().paths.push_back(p);
  tempFiles().paths.push_back(p + ".gz");
  return p;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.code()) + " " + e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return true;
  std::fprintf(stderr, "  expected '%s' in '%s'\n", part.c_str(), s.c_str());
  return false;
}

const char* kHandMade =
    "__label__a hello world\n"
    "__label__b hello there world\n"
    "__label__a hello\n";

}  // namespace

// Counts: hello 3, </s> 3 (one per newline), world 2, there 1; labels a 2, b 1.
// Word ids by decreasing count, ties by first appearance (fasttext dump dict
// prints the same order): hello 0, </s> 1, world 2, there 3; labels a 0, b 1.
TEST(fasttext_dictionary_and_unigram_ids) {
  FileBytes f(writeFile("ft1.txt", kHandMade));
  FastTextDictionary d(FastTextOptions{});
  d.build(f);
  CHECK(d.nwords() == 4 && d.nlabels() == 2 && d.ntokens() == 12);
  CHECK(d.bucket() == 0);  // wordNgrams 1 and maxn 0: fastText drops the buckets
  CHECK(d.find("hello") == 0 && d.find("</s>") == 1 && d.find("world") == 2 && d.find("there") == 3);
  CHECK(d.labelName(0) == "__label__a" && d.labelName(1) == "__label__b");
  FastTextEncoded e = d.encodeFile(f);
  CHECK((e.labels == std::vector<int32_t>{0, 1, 0}));
  CHECK((e.lengths == std::vector<int32_t>{3, 4, 2}));
  CHECK((e.ids == std::vector<int32_t>{0, 2, 1, 0, 3, 2, 1, 0, 1}));
  CHECK(e.tokens == 6);
}

// FNV-1a over signed chars: hello 0x4f9f2cab, world 0x37a3e893, </s> 0xd79c9359
// (negative as int32), there 0xb8ebd55d (negative). Bigram id = nwords (4) +
// (sext(h1) * 116049371 + sext(h2)) mod 2^64 mod bucket, with bucket 100:
//   line 1: (hello, world) -> 4 + 20 = 24, (world, </s>) -> 4 + 58 = 62
//   line 2: (hello, there) -> 66, (there, world) -> 66, (world, </s>) -> 62
//   line 3: (hello, </s>) -> 18
// Without the sign extension line 2 would give 62, 66, 58.
TEST(fasttext_word_ngrams_hash_like_fasttext) {
  CHECK(FastTextDictionary::hash("hello") == 0x4f9f2cabu);
  CHECK(FastTextDictionary::hash("</s>") == 0xd79c9359u);
  CHECK(FastTextDictionary::hash("h\xc3\xa9llo") == 0xeb5e6740u);  // bytes as signed chars
  FileBytes f(writeFile("ft2.txt", kHandMade));
  FastTextOptions o;
  o.wordNgrams = 2;
  o.bucket = 100;
  FastTextDictionary d(o);
  d.build(f);
  CHECK(d.inputRows() == 104);
  FastTextEncoded e = d.encodeFile(f);
  CHECK((e.lengths == std::vector<int32_t>{5, 7, 3}));
  CHECK((e.ids == std::vector<int32_t>{0, 2, 1, 24, 62, 0, 3, 2, 1, 66, 66, 62, 0, 1, 18}));
  // Line 1 now has 3 words + 3 n-grams. Trigrams on line 2 (after the words): (hello there) 66, (hello there world) 45,
  // (there world) 66, (there world </s>) 91, (world </s>) 62.
  o.wordNgrams = 3;
  FastTextDictionary d3(o);
  d3.build(f);
  e = d3.encodeFile(f);
  CHECK((std::vector<int32_t>(e.ids.begin() + 6, e.ids.begin() + 15) ==
         std::vector<int32_t>{0, 3, 2, 1, 66, 45, 66, 91, 62}));
}

TEST(fasttext_separators_oov_and_crlf) {
  // Tabs, CR and repeated spaces separate tokens; OOV words vanish (no
  // subwords); a last line without '\n' has no "</s>".
  FileBytes train(writeFile("ft3.txt", kHandMade));
  FastTextDictionary d(FastTextOptions{});
  d.build(train);
  FileBytes test(writeFile("ft3t.txt", "__label__b\thello  unknown\r\n\n__label__a world"));
  FastTextEncoded e = d.encodeFile(test);
  CHECK(e.lines == 3 && e.skipped == 1);  // the blank line
  CHECK((e.labels == std::vector<int32_t>{1, 0}));
  CHECK((e.ids == std::vector<int32_t>{0, 1, 2}));
  CHECK(e.tokens == 3);
}

TEST(fasttext_bad_input_names_file_and_line) {
  FileBytes train(writeFile("ft4.txt", kHandMade));
  FastTextDictionary d(FastTextOptions{});
  d.build(train);
  std::string p = writeFile("ft4b.txt", "__label__a hello\nhello world\n");
  std::string err = errorOf([&] { d.encodeFile(FileBytes(p)); });
  CHECK(contains(err, "HOGWILD_DATA") && contains(err, p + ":2:") && contains(err, "label"));
  p = writeFile("ft4c.txt", "__label__a hello\n__label__zzz hello\n");
  err = errorOf([&] { d.encodeFile(FileBytes(p)); });
  CHECK(contains(err, p + ":2:") && contains(err, "label out of range") && contains(err, "__label__zzz"));
  p = writeFile("ft4d.txt", "__label__a hello\n__label__a h\xff" "llo\n");
  err = errorOf([&] { FastTextDictionary x(FastTextOptions{}); x.build(FileBytes(p)); });
  CHECK(contains(err, p + ":2:") && contains(err, "invalid UTF-8 at byte 13"));
  std::string big = "__label__a " + std::string(10 << 20, 'x') + "\n";
  p = writeFile("ft4e.txt", "__label__a hello\n" + big);
  FastTextOptions mib;
  mib.maxLineBytes = 1 << 20;
  err = errorOf([&] { FastTextDictionary x(mib); x.build(FileBytes(p)); });
  CHECK(contains(err, p + ":2:") && contains(err, "more than max_line_bytes"));
  {
    FastTextDictionary x(FastTextOptions{});  // the default (1 GiB) takes it, as fastText does
    x.build(FileBytes(p));
    CHECK(x.nlabels() == 1);
  }
  // skip_invalid keeps the good lines.
  FastTextOptions skip;
  skip.skipInvalid = true;
  FastTextDictionary ds(skip);
  ds.build(train);
  FastTextEncoded e = ds.encodeFile(FileBytes(writeFile("ft4f.txt", "hello\n__label__q hello\n__label__b there\n")));
  CHECK(e.skipped == 2 && (e.labels == std::vector<int32_t>{1}));
  CHECK_THROWS_CODE(FileBytes("/nonexistent/file.txt"), codes::kIo);
}

TEST(fasttext_dictionary_record_roundtrips) {
  FileBytes f(writeFile("ft5.txt", kHandMade));
  FastTextOptions o;
  o.wordNgrams = 2;
  o.bucket = 100;
  FastTextDictionary d(o);
  d.build(f);
  Tensor rec;
  CHECK(d.serialize(&rec));
  FastTextDictionary r;
  r.deserialize(rec);
  CHECK(r.encodeFile(f).ids == d.encodeFile(f).ids);
  for (int64_t cut = 0; cut < rec.numel(); cut += 5) {
    Tensor bad(DType::Uint8, {cut});
    std::memcpy(bad.raw(), rec.raw(), cut);
    FastTextDictionary x;
    CHECK_THROWS_CODE(x.deserialize(bad), codes::kCheckpointCorrupt);
  }
}

TEST(read_fasttext_file_op_builds_and_reuses_dictionary) {
  Workspace ws;
  std::string p = writeFile("ft6.txt", kHandMade);
  NetDef def;
  def.name = "load";
  def.ops = {makeOp("ReadFastTextFile", {}, {"dict", "label", "len", "ids"},
                    {{"path", Argument::ofString(p)}, {"word_ngrams", Argument::ofInt(2)}, {"bucket", Argument::ofInt(100)},
                     {"index_dtype", Argument::ofString("int64")}}),
             makeOp("ReadFastTextFile", {"dict"}, {"tlabel", "tlen", "tids"}, {{"path", Argument::ofString(p)}})};
  Net net(def, ws);
  RunContext ctx;
  net.run(ctx);
  const Tensor& ids = ws.getBlob("ids").tensor("ids");
  CHECK(ids.dtype() == DType::Int64 && ids.numel() == 15 && ids.data<int64_t>()[3] == 24);
  CHECK(ws.getBlob("tids").tensor("").numel() == 15);
  CHECK(std::string(ws.getBlob("dict").kindName()) == "fastTextDictionary");
}

TEST(csv_reads_and_rejects_bad_fields) {
  std::string p = writeFile("a.csv", "x1,x2,label\n1.5,2,0\n\n-3,4e-1,2\n");
  CsvOptions o;
  CsvTable t = parseCsv(FileBytes(p), o);
  CHECK(t.header.size() == 3);
  CHECK(t.features.dim(0) == 2 && t.features.dim(1) == 2 && t.features.data<float>()[2] == -3.f);
  CHECK(t.labels.data<int32_t>()[1] == 2);
  o.labelColumn = "x1";
  o.labelDtype = DType::Float32;
  t = parseCsv(FileBytes(p), o);
  CHECK(t.labels.data<float>()[0] == 1.5f && t.features.data<float>()[1] == 0.f);
  p = writeFile("b.csv", "x1,x2,label\n1,2,0\n3,4\n");
  std::string err = errorOf([&] { parseCsv(FileBytes(p), CsvOptions{}); });
  CHECK(contains(err, p + ":3:") && contains(err, "missing field"));
  p = writeFile("c.csv", "1,2,0\n3,abc,1\n");
  err = errorOf([&] { parseCsv(FileBytes(p), CsvOptions{}); });
  CHECK(contains(err, p + ":2: column 2") && contains(err, "'abc'"));
  p = writeFile("d.csv", "1,2,0\n3,,1\n");
  err = errorOf([&] { parseCsv(FileBytes(p), CsvOptions{}); });
  CHECK(contains(err, p + ":2: column 2 is empty"));
  CsvOptions classes;
  classes.numClasses = 2;
  p = writeFile("e.csv", "1,2,0\n3,4,5\n");
  err = errorOf([&] { parseCsv(FileBytes(p), classes); });
  CHECK(contains(err, p + ":2:") && contains(err, "label out of range"));
  p = writeFile("f.csv", "1,2,0.5\n");
  CHECK(contains(errorOf([&] { parseCsv(FileBytes(p), CsvOptions{}); }), "label out of range"));
}

namespace {
std::string idxBytes(uint8_t type, std::vector<uint32_t> dims, const std::string& payload) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int k = 3; k >= 0; --k) s.push_back(static_cast<char>((d >> (8 * k)) & 0xFF));
  return s + payload;
}
}  // namespace

TEST(idx_reads_plain_and_gzipped_and_rejects_bad_files) {
  std::string pixels;
  for (int i = 0; i < 2 * 2 * 3; ++i) pixels.push_back(static_cast<char>(i * 20));
  std::string p = writeFile("img.idx", idxBytes(0x08, {2, 2, 3}, pixels));
  IdxOptions o;
  Tensor t = parseIdx(FileBytes(p), o);
  CHECK(t.dtype() == DType::Uint8 && t.shape() == (Shape{2, 2, 3}) && t.data<uint8_t>()[11] == 220);
  o.dtype = "float32";
  o.scale = 1.0 / 255;
  o.flatten = true;
  t = parseIdx(FileBytes(p), o);
  CHECK(t.shape() == (Shape{2, 6}));
  CHECK_NEAR(t.data<float>()[11], 220.0 / 255, 1e-6);
  if (gzipAvailable() && std::system(("gzip -kf " + p).c_str()) == 0) {
    Tensor g = parseIdx(FileBytes(p + ".gz"), o);
    CHECK(g.shape() == t.shape() && std::memcmp(g.raw(), t.raw(), t.nbytes()) == 0);
    // A truncated gzip stream is an I/O error, not a short read.
    std::ifstream in(p + ".gz", std::ios::binary);
    std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string cut = writeFile("cut.idx.gz", gz.substr(0, gz.size() / 2));
    CHECK(contains(errorOf([&] { FileBytes b(cut); }), "truncated"));
  } else {
    std::fprintf(stderr, "  (gzip checks skipped: zlib or gzip not available)\n");
  }
  std::string bad = writeFile("bad.idx", idxBytes(0x08, {2, 2, 3}, pixels));
  bad[0] = 0;
  std::string wrong = writeFile("wrong.idx", "\x01\x02\x08\x01" + std::string(8, 'x'));
  CHECK(contains(errorOf([&] { parseIdx(FileBytes(wrong), IdxOptions{}); }), "not an IDX file (magic number 0x01020801"));
  std::string trunc = writeFile("trunc.idx", idxBytes(0x08, {2, 2, 3}, pixels.substr(0, 7)));
  CHECK(contains(errorOf([&] { parseIdx(FileBytes(trunc), IdxOptions{}); }), "truncated IDX data"));
  std::string huge = writeFile("huge.idx", idxBytes(0x0D, {0xFFFFFFFF, 0xFFFFFFFF}, "abcd"));
  CHECK(contains(errorOf([&] { parseIdx(FileBytes(huge), IdxOptions{}); }), "truncated IDX data"));
  std::string labels = writeFile("lab.idx", idxBytes(0x08, {3}, std::string("\x01\x09\x0A", 3)));
  IdxOptions lo;
  lo.dtype = "int32";
  lo.numClasses = 10;
  CHECK(contains(errorOf([&] { parseIdx(FileBytes(labels), lo); }), "label out of range: value 10 at index 2"));
}

TEST(raw_arrays_infer_one_dim_and_check_size) {
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  std::string p = writeFile("raw.f32", std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  Tensor t = parseRawArray(FileBytes(p), DType::Float32, {-1, 3}, 0);
  CHECK(t.shape() == (Shape{2, 3}) && t.data<float>()[5] == 6.f);
  t = parseRawArray(FileBytes(p), DType::Float32, {2}, 16);
  CHECK(t.data<float>()[0] == 5.f);
  CHECK_THROWS_CODE(parseRawArray(FileBytes(p), DType::Float32, {-1, 4}, 0), codes::kData);
  CHECK_THROWS_CODE(parseRawArray(FileBytes(p), DType::Float32, {7}, 0), codes::kData);
  CHECK_THROWS_CODE(parseRawArray(FileBytes(p), DType::Float32, {1}, 100), codes::kData);
}

HWTEST_MAIN()
