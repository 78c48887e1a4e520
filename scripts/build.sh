#!/usr/bin/env bash
# Configures and builds the tree into build/ (used by run.sh and test.sh). Extra arguments go to
# cmake's configure step, e.g. scripts/build.sh -DSEQPE_BUILD_GUI=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SEQPE_BUILD_DIR:-build}
# Each LibTorch translation unit needs ~1.4 GB while compiling: at most one job per 2 GB and per core.
mem_gb=$(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
jobs=$(( $(nproc) < mem_gb / 2 ? $(nproc) : mem_gb / 2 ))
[ "$jobs" -lt 1 ] && jobs=1
if [ ! -f "$BUILD_DIR/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${SEQPE_BUILD_TYPE:-Release} "$@"
fi
cmake --build "$BUILD_DIR" -j "$jobs"
