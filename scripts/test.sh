#!/usr/bin/env bash
# The test command: installs what it needs (Debian 12), checks the formatting, builds the dev preset
# (warnings as errors), runs every test suite, then the sanitizer and fuzzing subset
# (scripts/sanitize.sh fast; SEQPE_SANITIZE=0 skips it).
#   bash scripts/test.sh            all labels (unit, slow, gui), then sanitizers and fuzzers
#   bash scripts/test.sh -L unit    any ctest arguments (the sanitizer subset still runs)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
SEQPE_PRESET=${SEQPE_PRESET:-dev} bash scripts/build.sh
# Tests never touch the user's cache: seqpe-data writes into a throw-away one.
export SEQPE_CACHE="$(mktemp -d /tmp/seqpe-test-cache.XXXXXX)"
trap 'rm -rf "$SEQPE_CACHE"' EXIT
(cd "${SEQPE_BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" --timeout 900 -LE cuda "$@")
if [ "${SEQPE_SANITIZE:-1}" != 0 ]; then
  bash scripts/sanitize.sh fast
fi
