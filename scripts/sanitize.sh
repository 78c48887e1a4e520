#!/usr/bin/env bash
# Sanitizer and fuzz builds (CMakePresets.json: asan, tsan, fuzz; docs/RELIABILITY.md).
#   bash scripts/sanitize.sh fast   CI's subset: TSan on the bridge tests; one clang build with ASan+UBSan
#                                   for the torch-free test suites, the data tool and every fuzz target
#                                   (SEQPE_FUZZ_SECONDS each, default 5, on its seed corpus)
#   bash scripts/sanitize.sh full   also the LibTorch engine, CLI, distributed and crash-safety tests
#                                   under GCC's ASan+UBSan, and the widget and GUI (app) tests under TSan
# Each build lives in its own folder (build-asan/, build-tsan/, build-fuzz/) and is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-fast}
case "$MODE" in fast|full) ;; *) echo "usage: $0 [fast|full]" >&2; exit 2 ;; esac
jobs=$(nproc); [ "$jobs" -gt 2 ] && jobs=$(( jobs < 8 ? jobs : 8 ))
export SEQPE_CACHE="${SEQPE_CACHE:-$(mktemp -d /tmp/seqpe-san-cache.XXXXXX)}"
# Debian's LibTorch and Qt are not instrumented: leak reports from their static singletons are
# noise, every finding in our code still fails (halt_on_error, UBSan without recovery).
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# die_after_fork=0: a child that QProcess forks starts threads before its exec, which TSan refuses
# by default; the child runs no code of ours before the exec.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$PWD/tests/tsan.supp"

step() { printf '\n== %s\n' "$*"; }

if [ "$MODE" = full ]; then
  step "ASan + UBSan, GCC (engine, data tool, CLI)"
  cmake --preset asan >/dev/null
  cmake --build build-asan -j "$jobs" --target engine_core_tests data_tests seqpe-data engine_tests cli_tests dist_tests \
    reliability_tests seqpe
  (cd build-asan && ./tests/engine/engine_core_tests && ./tests/data/data_tests && ./tests/engine/engine_tests &&
     ./tests/cli/cli_tests && ./tests/cli/dist_tests && ./tests/reliability/reliability_tests)
fi

step "ThreadSanitizer ($MODE)"
tsan_targets=(bridge_tests)
[ "$MODE" = full ] && tsan_targets+=(widgets_tests app_tests)
cmake --preset tsan >/dev/null
cmake --build build-tsan -j "$jobs" --target "${tsan_targets[@]}"
(cd build-tsan && QT_QPA_PLATFORM=offscreen ./tests/app/bridge_tests)
if [ "$MODE" = full ]; then
  # The tsan preset builds no data tool: the GUI tests run the ASan build's as their child process.
  (cd build-tsan && QT_QPA_PLATFORM=offscreen ./tests/widgets/widgets_tests &&
     SEQPE_DATA_TOOL="$PWD/../build-asan/seqpe-data/seqpe-data" QT_QPA_PLATFORM=offscreen ./tests/app/app_tests)
fi

# One clang build serves both: the fuzz targets and the torch-free test suites, all with ASan + UBSan.
step "ASan + UBSan, clang (torch-free layers, data tool) and libFuzzer (${SEQPE_FUZZ_SECONDS:-5} s per target)"
cmake --preset fuzz -DSEQPE_FUZZ_SECONDS="${SEQPE_FUZZ_SECONDS:-5}" >/dev/null
cmake --build build-fuzz -j "$jobs" --target engine_core_tests data_tests seqpe-data $(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
(cd build-fuzz && ./tests/engine/engine_core_tests && ./tests/data/data_tests)
(cd build-fuzz && ctest --output-on-failure -L fuzz -j 1)
echo "sanitizers and fuzzers: clean"
