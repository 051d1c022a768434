#!/usr/bin/env bash
# The test command: sets everything up on a fresh machine, then builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
mvn -B -ntp verify
