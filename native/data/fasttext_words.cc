// The unsupervised half of FastTextDictionary (cbow, skipgram): a file encoded
// as fastText's getLine reads it for word vectors. Each line becomes pieces of
// in-vocabulary word ids ("</s>" included, as in fastText); a piece ends with
// the line or once more than kWordsMaxLineTokens known tokens were read, and
// unknown tokens and labels are dropped. Subsampling (fastText's discard) is
// not applied here: it is drawn anew every epoch by the training op.
#include "fasttext.h"
#include "text.h"

namespace hogwild::data {

namespace {
const std::string kEos = "</s>";
}  // namespace

FastTextEncoded FastTextDictionary::encodeWordsRange(const FileBytes& file, const uint8_t* begin, size_t size) const {
  FastTextEncoded out;
  LineReader lines(begin, size);
  Line line;
  size_t pieceStart = 0;
  int64_t known = 0;
  auto endPiece = [&]() {
    size_t n = out.ids.size() - pieceStart;
    if (n > 0) {
      out.labels.push_back(0);
      out.lengths.push_back(static_cast<int32_t>(n));
    }
    pieceStart = out.ids.size();
    known = 0;
  };
  auto token = [&](std::string_view tok) {
    int32_t wid = find(tok);
    if (wid < 0) return;
    ++known;
    if (_words[static_cast<size_t>(wid)].type == Type::Word) out.ids.push_back(wid);
    if (known > kWordsMaxLineTokens) endPiece();
  };
  while (lines.next(&line)) {
    ++out.lines;
    checkLine(file, line.text, line.number);
    forEachToken(line.text, token);
    if (line.hadNewline) token(kEos);
    endPiece();
  }
  out.tokens = static_cast<int64_t>(out.ids.size());
  return out;
}

void FastTextDictionary::wordRows(int32_t wid, std::vector<int32_t>* out) const {
  HW_CHECK(wid >= 0 && wid < _nwords, codes::kIndexOutOfRange, "Expected a word id in [0, " << _nwords << ") but received " << wid);
  if (_opts.maxn <= 0) {
    out->push_back(wid);
    return;
  }
  const auto& rows = _subwords[static_cast<size_t>(wid)];
  out->insert(out->end(), rows.begin(), rows.end());
}

}  // namespace hogwild::data
