#pragma once
// A scan's parse, handed to the job that scanned: FastTextFile.scan({ retain })
// builds the dictionary and encodes the file (to learn the model's sizes),
// then leaves both here; the first BuildFastTextDictionary of the same file
// and options in this process takes them, so a training run parses its file
// once. Taking removes the entry; the file's size and mtime must not have
// changed. At most a few entries are kept (the oldest goes first).
#include <memory>
#include <string>

#include "fasttext.h"

namespace hogwild::data {

void retainScan(const std::string& path, const FastTextOptions& opts, std::shared_ptr<FastTextDictionary> dict);
std::shared_ptr<FastTextDictionary> takeRetainedScan(const std::string& path, const FastTextOptions& opts);

}  // namespace hogwild::data
