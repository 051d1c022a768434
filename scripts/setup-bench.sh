#!/usr/bin/env bash
# Installs the PyTorch side of `plaudit bench --against pytorch` on Debian/Ubuntu (idempotent; quick when present):
# Debian's python3-torch (no PyPI needed) and the OpenMP build of OpenBLAS: Debian's default is the reference BLAS,
# far slower than an optimised one, which would make the comparison meaningless (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
dpkg -s libopenblas0-openmp >/dev/null 2>&1 || need+=(libopenblas0-openmp)
if ((${#need[@]})); then
  echo "setup-bench: installing ${need[*]} with apt-get" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
/usr/bin/python3 -c 'import torch; print("setup-bench: torch", torch.__version__, "ready")'
