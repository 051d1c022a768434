#!/usr/bin/env bash
# Executes Plaudit's Kotlin notebooks headless, as CI does: scripts/run-notebooks.sh [NOTEBOOK...]
# (default: every notebooks/*.ipynb, in name order). Installs the kernel first (scripts/install-kernel.sh: quick when
# nothing changed). Each notebook runs in its own nbconvert call, because one call stops at its first failing
# notebook. Executed copies, with their outputs, go to target/notebooks/ (a build output, not committed); the
# notebooks in notebooks/ stay as written. Exits non-zero at the first notebook with a failing cell, naming it; the
# cell's Kotlin error is printed above by nbconvert.
# Environment: PLAUDIT_CELL_TIMEOUT (seconds per cell, default 1800); MAVEN_ARGS (passed to the install's Maven).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v jupyter-nbconvert >/dev/null 2>&1; then
  echo "run-notebooks: jupyter-nbconvert is not installed; run scripts/setup.sh (it installs Debian's package)" >&2
  exit 2
fi
if (($#)); then notebooks=("$@"); else notebooks=(notebooks/*.ipynb); fi
for nb in "${notebooks[@]}"; do
  [[ -f "$nb" ]] || { echo "run-notebooks: no notebook at $nb" >&2; exit 2; }
done

export "$(bash scripts/install-kernel.sh | tail -n1)" # JUPYTER_PATH=...: our kernel, nothing from ~/.local
# DJL unpacks its 430 MB of PyTorch natives into this cache: share the one the tests and the CLI use (the kernel's
# user.home is its own folder, which would otherwise get a second copy)
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}"

# PyTorch's OpenMP threads otherwise spin-wait between ops, which stalls small ops on a busy machine (see pom.xml)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# MKL reproducibility with a fixed thread count, as in the tests (pom.xml): seeded cells repeat bit for bit
export MKL_CBWR="${MKL_CBWR:-AUTO}" MKL_DYNAMIC="${MKL_DYNAMIC:-FALSE}"

OUT="$ROOT/target/notebooks"
mkdir -p "$OUT"
for nb in "${notebooks[@]}"; do
  start=$SECONDS
  log="$OUT/$(basename "$nb" .ipynb).log" # nbconvert's and the kernel's stderr
  echo "run-notebooks: $nb" >&2
  # the kernel's cwd is the notebook's folder, so notebooks can use relative paths to the repository
  if ! jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=kotlin \
      --ExecutePreprocessor.timeout="${PLAUDIT_CELL_TIMEOUT:-1800}" --output-dir "$OUT" "$nb" 2>"$log"; then
    cat "$log" >&2
    echo "run-notebooks: FAILED $nb (a cell failed; its error is above)" >&2
    exit 1
  fi
  echo "run-notebooks: ok $nb in $((SECONDS - start)) s -> target/notebooks/$(basename "$nb") (log: ${log#"$ROOT"/})" >&2
done
