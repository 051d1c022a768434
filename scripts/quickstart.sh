#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, builds, then runs the whole pipeline on the bundled
# synthetic forum (samples/forum: 3000 threads with a hidden gold preference) at smoke scale — upvote pairs (SHP's
# rules) → tokenizer → pretraining → SFT → reward model → PPO (adaptive KL and β = 0) → best-of-n, each measured
# against gold. Ends with the summary table and where the plots are. A few minutes on a laptop CPU.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
mvn -B -q -ntp -DskipTests install
OUT="${1:-runs/quickstart}"
bin/plaudit study --forum samples/forum --scale tiny --out "$OUT"
echo "summary: $OUT/summary.csv   plots: $OUT/plots/*.svg   per-stage metrics: $OUT/*/metrics.csv"
echo "what PPO wrote, with reward and gold: $OUT/ppo_adaptive/samples.csv"
