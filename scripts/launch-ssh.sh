#!/usr/bin/env bash
# A data-parallel job on several machines over plain ssh (no torchrun, no scheduler): runs
# scripts/launch.sh on every host with NNODES, NODE_RANK and MASTER_ADDR (the first host).
# Assumes: passwordless ssh, the repository and build at the same path on every host, and the
# project's output_dir on a filesystem all hosts share (rank 0 writes it, every rank resumes
# from it). Each host writes its ranks' logs to $LOG_DIR (default logs/distributed).
#
#   HOSTS="gpu1 gpu2" NPROC_PER_NODE=8 scripts/launch-ssh.sh projects/quickstart.json \
#       --set runtime.device=cuda --set runtime.precision=bf16
#
# Ctrl-C here sends one SIGINT to every rank (they stop together, with a checkpoint).
set -euo pipefail
[ $# -ge 1 ] && [ -n "${HOSTS:-}" ] || { sed -n '2,13p' "$0"; exit 2; }
read -r -a hosts <<< "$HOSTS"
NPROC_PER_NODE=${NPROC_PER_NODE:-1}
MASTER_ADDR=${MASTER_ADDR:-${hosts[0]}}
MASTER_PORT=${MASTER_PORT:-29500}
LOG_DIR=${LOG_DIR:-logs/distributed}
repo=$(cd "$(dirname "$0")/.." && pwd)
args=$(printf '%q ' "$@")

pids=()
for n in "${!hosts[@]}"; do
  ssh -o BatchMode=yes "${hosts[$n]}" \
    "cd $(printf '%q' "$repo") && NNODES=${#hosts[@]} NODE_RANK=$n NPROC_PER_NODE=$NPROC_PER_NODE \
     MASTER_ADDR=$MASTER_ADDR MASTER_PORT=$MASTER_PORT LOG_DIR=$LOG_DIR ${SEQPE:+SEQPE=$SEQPE} \
     ${GLOO_SOCKET_IFNAME:+GLOO_SOCKET_IFNAME=$GLOO_SOCKET_IFNAME} ${NCCL_SOCKET_IFNAME:+NCCL_SOCKET_IFNAME=$NCCL_SOCKET_IFNAME} \
     scripts/launch.sh $args" < /dev/null &
  pids+=($!)
done
stop_all() {
  for n in "${!hosts[@]}"; do
    ssh -o BatchMode=yes "${hosts[$n]}" "kill -INT \$(cat $(printf '%q' "$repo/$LOG_DIR/node$n.pids")) 2>/dev/null" || true
  done
}
trap stop_all INT TERM
status=0
for p in "${pids[@]}"; do
  while true; do
    wait "$p" && break
    rc=$?
    kill -0 "$p" 2>/dev/null && continue
    [ "$status" -ne 0 ] || status=$rc
    break
  done
done
exit "$status"
