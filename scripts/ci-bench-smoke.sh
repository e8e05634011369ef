#!/usr/bin/env bash
# CI smoke run of the benchmarks: compiles bench/ (tsc -p bench) and runs every suite
# on small data (npm run bench -- --quick). Fails only when a suite fails; peers
# that are not installed are reported in bench/out/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run bench -- --quick
