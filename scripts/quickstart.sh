#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, builds, trains a small GPT on the synthetic forum's
# corpus (samples/forum/corpus.txt), then samples replies from it. A few minutes on a laptop CPU.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
mvn -B -q -ntp -DskipTests install
OUT="${1:-runs/quickstart}"
bin/plaudit train-lm --corpus samples/forum/corpus.txt --out "$OUT" --steps 300 --eval-every 30
for prompt in "what pan should i get for my" "best way to" "how do i"; do
  echo "=== sample: \"$prompt ...\""
  bin/plaudit sample --checkpoint "$OUT/checkpoint" --prompt "$prompt" --max-tokens 80 --temperature 0.8 --seed 1
done
# the whole pipeline at smoke scale: upvote pairs -> SFT -> reward model -> PPO -> best-of-n, measured against gold
bin/plaudit study --out "${OUT}-study" --scale tiny
echo "summary: ${OUT}-study/summary.csv   plots: ${OUT}-study/plots/"
