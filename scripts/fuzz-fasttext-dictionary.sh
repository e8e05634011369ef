#!/usr/bin/env bash
# Builds the fastText dictionary-record fuzz target
# (native/tests/fuzz_fasttext_dictionary.cc) with clang-14 + libFuzzer + ASan +
# UBSan and runs it.
#
#   scripts/fuzz-fasttext-dictionary.sh [SECONDS] [extra libFuzzer flags...]
#
# Seeds: test/fasttext-dictionary-corpus/ (records of small trained models,
# with and without subwords and n-grams, and earlier crashers). New
# interesting inputs go to build-fuzz/fasttext-corpus/ (not committed). A crash
# writes build-fuzz/fasttext-crash-*; minimize it with -minimize_crash=1 and
# add it to the seed directory, which test/fuzz/stateFiles.fuzz.test.ts
# replays on every test run.
# Needs: apt-get install clang-14 libclang-rt-14-dev
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
out=build-fuzz
mkdir -p "$out/fasttext-corpus"
cxx="${CXX_FUZZ:-clang++-14}"
# Every file that defines FastTextDictionary members, so a new one cannot be missed.
mapfile -t dictionary_sources < <(grep -l "FastTextDictionary::" native/data/*.cc)
sources=("${dictionary_sources[@]}" native/data/vec_words.cc native/data/file_bytes.cc native/core/*.cc native/tests/fuzz_fasttext_dictionary.cc)
bin="$out/fuzz_fasttext_dictionary"
if [ ! -x "$bin" ] || [ -n "$(find "${sources[@]}" native/data native/core -newer "$bin" -print -quit)" ]; then
  echo "building $bin with $cxx"
  "$cxx" -std=c++17 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Inative "${sources[@]}" -o "$bin"
fi
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  "$bin" "$out/fasttext-corpus" test/fasttext-dictionary-corpus \
  -max_len=4096 -timeout=2 -rss_limit_mb=1024 -malloc_limit_mb=64 \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/fasttext-" "$@"
