#!/usr/bin/env bash
# CI: fuzz the checkpoint loader for a bounded time (libFuzzer, ASan+UBSan).
exec "$(dirname "$0")/fuzz-checkpoint.sh" "${HOGWILD_FUZZ_SECONDS:-45}"
