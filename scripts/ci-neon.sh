#!/usr/bin/env bash
# CI: the NEON level of the dense kernels on x86 machines. Cross-compiles the
# kernel sources and test_dense_kernels for aarch64 (g++-aarch64-linux-gnu,
# static) and runs it under qemu-aarch64 (qemu-user): every level it finds
# (scalar, neon) against the double reference. Skips loudly when either tool is
# absent; on an arm64 machine ctest already runs the test natively.
set -euo pipefail
cd "$(dirname "$0")/.."
CXX=${HOGWILD_AARCH64_CXX:-aarch64-linux-gnu-g++}
QEMU=${HOGWILD_QEMU_AARCH64:-qemu-aarch64}
for tool in "$CXX" "$QEMU"; do
  if ! command -v "$tool" >/dev/null; then
    echo "ci-neon: SKIPPED, '$tool' not found (apt: g++-aarch64-linux-gnu qemu-user)" >&2
    exit 0
  fi
done
OUT=build-neon
mkdir -p "$OUT"
# The dense kernels and what they link against: dispatch, ISA detection, scalar and NEON levels.
SOURCES="native/kernels/dense_kernels.cc native/kernels/isa.cc $(node native/sources.mjs neon | tr ' ' '\n' | grep '/dense_') native/kernels/scalar/dense_scalar.cc"
# shellcheck disable=SC2086
"$CXX" -std=c++17 -O2 -static -Wall -Werror -Inative -o "$OUT/test_dense_kernels" native/tests/test_dense_kernels.cc $SOURCES
"$QEMU" "$OUT/test_dense_kernels"
