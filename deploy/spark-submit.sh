#!/usr/bin/env bash
# Runs a dti job on a cluster through spark-submit with the shaded application jar
# (spark-jobs/target/dti-spark-jobs-*-app.jar, which does not bundle Spark or Hadoop).
#
#   deploy/spark-submit.sh --master spark://host:7077 [spark-submit options] -- pack --prepared hdfs://... ...
#
# Everything before "--" goes to spark-submit, everything after to the dti CLI. Config files
# given with --conf after "--" are read on the driver. The PyTorch native library is a
# deploy-time choice: add it with --jars (for example pytorch-native-cpu-2.7.1-linux-x86_64.jar)
# for jobs that train; the data jobs do not need it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$(ls "$root"/spark-jobs/target/dti-spark-jobs-*-app.jar 2>/dev/null | head -1)"
[[ -n "$jar" ]] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 2; }
submit_args=()
while [[ $# -gt 0 && "$1" != "--" ]]; do submit_args+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
exec "${SPARK_HOME:?set SPARK_HOME to a Spark 4.0.x installation}/bin/spark-submit" \
  --class io.dti.jobs.DtiCli \
  --conf spark.driver.extraJavaOptions=-Dai.djl.offline=true \
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true \
  "${submit_args[@]}" "$jar" "$@"
