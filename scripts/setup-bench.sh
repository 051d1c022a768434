#!/usr/bin/env bash
# Installs the PyTorch side of `plaudit bench --against pytorch` on Debian/Ubuntu (idempotent; quick when present):
# Debian's python3-torch (no PyPI needed) and the OpenMP build of OpenBLAS: Debian's default is the reference BLAS,
# far slower than an optimised one, which would make the comparison meaningless (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/apt-install.sh

need=()
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
dpkg -s libopenblas0-openmp >/dev/null 2>&1 || need+=(libopenblas0-openmp)
apt_install setup-bench "${need[@]}"
/usr/bin/python3 -c 'import torch; print("setup-bench: torch", torch.__version__, "ready")'
