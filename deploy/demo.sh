#!/usr/bin/env bash
# End-to-end demo on an embedded default: local Spark, generated data.
#   generate -> prepare -> tokenizer -> pack -> train (DTI) -> evaluate (SW prompts)
#   -> the same training as a 2-rank Spark barrier stage (local Spark), outputs under ${1:-demo-out}/
# Builds the project first if needed. Prints each job's summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$root/demo-out}")"
cd "$root"
if [[ ! -f spark-jobs/target/classpath.txt ]]; then
  ./mvnw -B -q package -DskipTests
fi
dti() { "$root/deploy/dti" "$@"; }
dti generate  --conf conf/demo.conf --output "$out/raw" --overwrite
dti prepare   --conf conf/demo.conf --input "$out/raw" --output "$out/prepared" --overwrite
dti tokenizer --conf conf/demo.conf --prepared "$out/prepared" --output "$out/tokenizer" --overwrite
dti pack      --conf conf/demo.conf --prepared "$out/prepared" --tokenizer "$out/tokenizer" --output "$out/packed" --overwrite
rm -rf "$out/train"
dti train     --conf conf/demo.conf --packed "$out/packed" --tokenizer "$out/tokenizer" --output "$out/train"
dti evaluate  --conf conf/demo.conf --packed "$out/packed" --tokenizer "$out/tokenizer" --model "$out/train" \
              --scores "$out/train/test-scores.csv"
rm -rf "$out/train-2-ranks"
dti train     --conf conf/demo.conf --packed "$out/packed" --tokenizer "$out/tokenizer" --output "$out/train-2-ranks" \
              --ranks 2 --set 'spark.master="local[2]"'
echo
echo "demo outputs in $out:"
for d in raw prepared tokenizer packed; do echo "  $d/summary.json"; done
echo "  train/eval.json, train/metrics.jsonl, train/loss.png, train/checkpoints/, train/test-scores.csv"
echo "  train-2-ranks/ (the same, trained by 2 ranks with a ring all-reduce; eval.json has per-rank figures)"
