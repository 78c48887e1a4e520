#!/usr/bin/env bash
# Starts this machine's ranks of a data-parallel `seqpe train --distributed` job, without torchrun:
# NPROC_PER_NODE processes (one per GPU; or CPU ranks), ranks NODE_RANK*NPROC_PER_NODE + i, with
# the environment torchrun would set (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK,
# LOCAL_WORLD_SIZE). Rank 0 (or this node's first rank) writes to the terminal, the others to
# $LOG_DIR/rank<R>.log. Ctrl-C reaches every rank: they stop together after the same step.
#
#   scripts/launch.sh PROJECT [seqpe train arguments...]
#   NPROC_PER_NODE=4 scripts/launch.sh projects/quickstart.json --set runtime.device=cuda
#   (several machines: NNODES, NODE_RANK and MASTER_ADDR; scripts/launch-ssh.sh sets them)
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }

NPROC_PER_NODE=${NPROC_PER_NODE:-$(nvidia-smi -L 2>/dev/null | wc -l || true)}
[ "${NPROC_PER_NODE:-0}" -ge 1 ] 2>/dev/null || NPROC_PER_NODE=2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
MASTER_PORT=${MASTER_PORT:-29500}
LOG_DIR=${LOG_DIR:-logs/distributed}
here=$(cd "$(dirname "$0")/.." && pwd)
SEQPE=${SEQPE:-$( [ -x "$here/build-cuda/cli/seqpe" ] && echo "$here/build-cuda/cli/seqpe" || echo "$here/build/cli/seqpe" )}
WORLD_SIZE=$((NNODES * NPROC_PER_NODE))
mkdir -p "$LOG_DIR"

echo "launch: $NPROC_PER_NODE ranks on node $NODE_RANK of $NNODES (world $WORLD_SIZE), rendezvous $MASTER_ADDR:$MASTER_PORT" >&2
pids=()
for ((i = 0; i < NPROC_PER_NODE; i++)); do
  rank=$((NODE_RANK * NPROC_PER_NODE + i))
  rank_env=(MASTER_ADDR="$MASTER_ADDR" MASTER_PORT="$MASTER_PORT" WORLD_SIZE="$WORLD_SIZE" RANK="$rank"
            LOCAL_RANK="$i" LOCAL_WORLD_SIZE="$NPROC_PER_NODE")
  if [ "$i" -eq 0 ]; then
    env "${rank_env[@]}" "$SEQPE" train "$@" --distributed &
  else
    env "${rank_env[@]}" "$SEQPE" train "$@" --distributed > "$LOG_DIR/rank$rank.log" 2>&1 &
  fi
  pids+=($!)
done
echo "${pids[*]}" > "$LOG_DIR/node$NODE_RANK.pids" # scripts/launch-ssh.sh stops remote ranks through it
# Ctrl-C on the terminal reaches every rank itself (one SIGINT: stop after the current step with a
# checkpoint; a second one quits at once), so INT only keeps this script waiting. TERM (kill,
# SLURM, launch-ssh.sh) becomes one SIGINT per rank.
trap ':' INT
trap 'kill -INT "${pids[@]}" 2>/dev/null || true' TERM
status=0
for p in "${pids[@]}"; do
  while true; do
    wait "$p" && break
    rc=$?
    kill -0 "$p" 2>/dev/null && continue # interrupted by the trap: wait again
    [ "$status" -ne 0 ] || status=$rc
    break
  done
done
exit "$status"
