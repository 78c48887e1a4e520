#!/usr/bin/env bash
# Configures and builds the tree into build/ through a CMake preset (used by run.sh and test.sh):
# SEQPE_PRESET=cpu (default: Release) or dev (the same with warnings as errors; what CI builds).
# Extra arguments go to cmake's configure step, e.g. scripts/build.sh -DSEQPE_BUILD_GUI=OFF;
# SEQPE_BUILD_DIR builds elsewhere than build/.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${SEQPE_PRESET:-cpu}
BUILD_DIR=${SEQPE_BUILD_DIR:-build}
# Each LibTorch translation unit needs ~1.4 GB while compiling: at most one job per 2 GB and per core.
mem_gb=$(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
jobs=$(( $(nproc) < mem_gb / 2 ? $(nproc) : mem_gb / 2 ))
[ "$jobs" -lt 1 ] && jobs=1
# Configure when the folder is new, when arguments are given, or when dev asks for warnings as
# errors in a folder built without (cpu and dev share build/; a cpu build keeps a dev folder's
# setting rather than rebuilding everything: what builds with -Werror builds without).
have_werror=$(sed -n 's/^SEQPE_WARNINGS_AS_ERRORS:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
if [ ! -f "$BUILD_DIR/build.ninja" ] || [ $# -gt 0 ] || { [ "$PRESET" = dev ] && [ "$have_werror" != ON ]; }; then
  cmake --preset "$PRESET" -B "$BUILD_DIR" "$@"
fi
cmake --build "$BUILD_DIR" -j "$jobs"
