#!/usr/bin/env bash
# CI: fuzz the fastText dictionary record reader for a bounded time (libFuzzer, ASan+UBSan).
exec "$(dirname "$0")/fuzz-fasttext-dictionary.sh" "${HOGWILD_FUZZ_SECONDS:-20}"
