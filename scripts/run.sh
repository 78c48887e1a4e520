#!/usr/bin/env bash
# The main job: installs what it needs (Debian 12), builds, prepares the default corpus, then
#   - with a display: opens the workbench on the quickstart project and starts its runs (SeqPE vs
#     learnable vs RoPE), charts live; each run evaluates itself when it completes, so the
#     Extrapolation tab ends with the curves; close the window to stop (runs keep their checkpoints);
#   - without one (or with --headless): trains the same runs with the CLI (each evaluated when it
#     completes), gathers the comparison (seqpe compare --reuse) and renders every figure offscreen
#     (seqpe-workbench --export).
#   bash scripts/run.sh [--headless] [PROJECT.json]
set -euo pipefail
cd "$(dirname "$0")/.."
HEADLESS=0
if [ "${1:-}" = "--headless" ]; then HEADLESS=1; shift; fi
PROJECT=${1:-projects/quickstart.json}
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then HEADLESS=1; fi
bash scripts/install-deps.sh
bash scripts/build.sh
BIN=${SEQPE_BUILD_DIR:-build}
"$BIN/cli/seqpe" data prepare text --source sotu
if [ "$HEADLESS" = 0 ] && [ -x "$BIN/app/seqpe-workbench" ]; then
  exec "$BIN/app/seqpe-workbench" "$PROJECT" --run-all
fi
"$BIN/cli/seqpe" train "$PROJECT"
"$BIN/cli/seqpe" compare "$PROJECT" --reuse
if [ -x "$BIN/app/seqpe-workbench" ]; then
  "$BIN/app/seqpe-workbench" --export "$PROJECT"
fi
