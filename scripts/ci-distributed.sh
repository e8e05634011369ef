#!/usr/bin/env bash
# CI check of multi-node training: where Gloo is installed (apt-get install
# libgloo-dev libhiredis-dev pkg-config redis-server), the optional module
# hogwild_gloo.node must build and every multi-node test must run (none may
# skip: HOGWILD_REQUIRE_GLOO=1 turns a skip into a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f /usr/share/cmake/Gloo/GlooConfig.cmake ] && [ ! -f /usr/lib/cmake/Gloo/GlooConfig.cmake ]; then
  echo "*** SKIPPED: libgloo-dev is not installed, so the multi-node module and its tests cannot run ***"
  exit 0
fi
if [ ! -f build/Release/hogwild_gloo.node ]; then
  npx cmake-js compile --out build --target hogwild_gloo
fi
test -f build/Release/hogwild_gloo.node
HOGWILD_REQUIRE_GLOO=1 node --import ./test/polyfills.mjs ./node_modules/vitest/vitest.mjs run test/distributed
