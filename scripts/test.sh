#!/usr/bin/env bash
# The test command: sets everything up on a fresh machine, then builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# PyTorch for the side-by-side benchmark's smoke test (plaudit.bench.PytorchBenchTest)
bash scripts/setup-bench.sh
mvn -B -ntp verify
# the notebooks are part of the suite: executed headless by real Jupyter with the Kotlin kernel
bash scripts/run-notebooks.sh
