#!/usr/bin/env bash
# The test command: installs what it needs (Debian 12), builds, runs every test suite.
#   bash scripts/test.sh            all labels (unit, slow, gui)
#   bash scripts/test.sh -L unit    any ctest arguments
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd "${SEQPE_BUILD_DIR:-build}"
# Tests never touch the user's cache: seqpe-data writes into a throw-away one.
export SEQPE_CACHE="$(mktemp -d /tmp/seqpe-test-cache.XXXXXX)"
trap 'rm -rf "$SEQPE_CACHE"' EXIT
ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@"
