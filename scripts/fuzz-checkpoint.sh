#!/usr/bin/env bash
# Builds the checkpoint-loader fuzz target (native/tests/fuzz_checkpoint.cc)
# with clang-14 + libFuzzer + ASan + UBSan and runs it.
#
#   scripts/fuzz-checkpoint.sh [SECONDS] [extra libFuzzer flags...]
#
# Seeds: test/checkpoint/corpus/ (hand-made bad files, valid files, earlier
# crashers). New interesting inputs go to build-fuzz/corpus/ (not committed).
# A crash writes build-fuzz/crash-*; minimize it with
#   build-fuzz/fuzz_checkpoint -minimize_crash=1 -runs=100000 build-fuzz/crash-XXX
# and copy the result into test/checkpoint/corpus/ (named crash-<what>.bin):
# the ordinary test run replays every file there (test/checkpoint/corpus.test.ts
# and the native test_checkpoint_corpus).
# Needs: apt-get install clang-14 libclang-rt-14-dev
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
out=build-fuzz
mkdir -p "$out/corpus"
cxx="${CXX_FUZZ:-clang++-14}"
sources=(native/checkpoint/*.cc native/core/*.cc native/data/cursor.cc native/tests/fuzz_checkpoint.cc)
if [ ! -x "$out/fuzz_checkpoint" ] || [ -n "$(find "${sources[@]}" native/checkpoint native/core -newer "$out/fuzz_checkpoint" -print -quit)" ]; then
  echo "building $out/fuzz_checkpoint with $cxx"
  "$cxx" -std=c++17 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Inative "${sources[@]}" -o "$out/fuzz_checkpoint"
fi
dict="$out/checkpoint.dict"
cat > "$dict" <<'DICT'
"{"
"}"
"["
"]"
":"
","
"\""
"\\u0000"
"\"dtype\""
"\"shape\""
"\"data_offsets\""
"\"__metadata__\""
"\"format\""
"\"hogwild\""
"\"format_version\""
"\"epoch\""
"\"node\""
"\"header_crc32c\""
"\"crc32c:"
"\"kind:"
"\"meta:"
"\"F32\""
"\"F64\""
"\"I32\""
"\"I64\""
"\"U8\""
"\"BOOL\""
"\"counter\""
"\"stringList\""
"\"treeCursor\""
"\"empty\""
"9007199254740991"
"9007199254740992"
DICT
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  "$out/fuzz_checkpoint" "$out/corpus" test/checkpoint/corpus \
  -dict="$dict" -max_len=65536 -timeout=2 -rss_limit_mb=1024 -malloc_limit_mb=4 \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/" "$@"
