#pragma once
// The words of a .vec file (fastText's text vectors: a "n dim" header, then n
// lines of a word and dim numbers), in file order: what -pretrainedVectors
// adds to a supervised dictionary before training, as fastText does. The
// numbers themselves are read by the JS .vec reader, which sets the rows.
#include <string>
#include <vector>

namespace hogwild::data {

// Throws HOGWILD_IO when the file cannot be read and HOGWILD_DATA, naming the
// file and line, for a bad header or fewer than n word lines.
std::vector<std::string> readVecWords(const std::string& path);

}  // namespace hogwild::data
