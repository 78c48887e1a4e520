#!/usr/bin/env bash
# Installs every Debian 12 package the project needs. Idempotent: a second run only checks.
# Both README commands call it. Traps it handles (docs/ENVIRONMENT.md): OpenBLAS-openmp (else LibTorch
# uses reference BLAS, 30x slower), clang-14 + libclang-rt-14-dev (libFuzzer and the sanitizer
# runtimes of scripts/sanitize.sh),
# clang-format-14 (scripts/check-format.sh: the formatting CI checks),
# libgloo-dev (the Gloo headers c10d's ProcessGroupGloo.hpp includes: `seqpe train --distributed`).
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config ccache git curl ca-certificates
  libtorch-dev libgloo-dev libopenblas0-openmp libopencv-dev libsentencepiece-dev zlib1g-dev
  libssl-dev libcurl4-openssl-dev libarchive-dev
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  clang-14 libclang-rt-14-dev clang-format-14
  qt6-base-dev qt6-svg-dev libgl-dev
  xvfb xauth imagemagick fonts-dejavu-core
  dataset-fashion-mnist
)
WITH_GUI=${SEQPE_WITH_GUI:-1}
if [ "$WITH_GUI" = 0 ]; then
  PKGS=($(printf '%s\n' "${PKGS[@]}" | grep -vE '^(qt6-|libqt6|libgl-dev|xvfb|xauth|imagemagick)'))
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all ${#PKGS[@]} packages present"
fi

# libblas.so.3 must resolve to OpenBLAS (openmp variant); the pthread variant ignores torch's thread count.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || true)
case "$blas" in
  *openblas-openmp*) ;;
  *) echo "install-deps: selecting OpenBLAS-openmp for libblas.so.3 (was: ${blas:-none})"
     $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
       /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ;;
esac
lapack=$(readlink -f /usr/lib/x86_64-linux-gnu/liblapack.so.3 || true)
case "$lapack" in
  *openblas-openmp*) ;;
  *) $SUDO update-alternatives --set liblapack.so.3-x86_64-linux-gnu \
       /usr/lib/x86_64-linux-gnu/openblas-openmp/liblapack.so.3 2>/dev/null || true ;;
esac
