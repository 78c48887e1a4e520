#!/usr/bin/env bash
# The main job: installs what it needs (Debian 12), builds, prepares the default corpus and trains
# the quickstart comparison (SeqPE vs learnable vs RoPE), then evaluates extrapolation.
#   bash scripts/run.sh                 the quickstart project
#   bash scripts/run.sh PROJECT.json    another project
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=${1:-projects/quickstart.json}
bash scripts/install-deps.sh
bash scripts/build.sh
BIN=${SEQPE_BUILD_DIR:-build}
"$BIN/cli/seqpe" data prepare text --source sotu
"$BIN/cli/seqpe" train "$PROJECT"
"$BIN/cli/seqpe" compare "$PROJECT"
