#!/usr/bin/env bash
# One ReplayLake iteration through spark-submit, with the same commands as bin/replaylake.
# Usage: examples/spark-submit/iteration.sh LAKEHOUSE_URI RUN [PROFILE]   (PROFILE: cluster | gpu | local)
# Needs SPARK_HOME (a Spark 4.0 distribution, or the one `bin/replaylake spark-home DIR` lays out) and the
# shaded jar jobs/target/replaylake-spark.jar (mvn -B package -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
lakehouse=${1:?lakehouse URI, e.g. hdfs:///replaylake}
run=${2:?run id}
profile=${3:-cluster}
submit=("${SPARK_HOME:?set SPARK_HOME}/bin/spark-submit" --properties-file "$here/conf/$profile.properties"
  --class com.replaylake.jobs.cli.ReplayLakeCli "$here/jobs/target/replaylake-spark.jar" --lakehouse "$lakehouse")
gpus=0
[ "$profile" = gpu ] && gpus=1

"${submit[@]}" rollout --run "$run" --version latest --step auto --dataset arith --split train \
  --prompts-per-step 64 --samples-per-prompt 8 --max-new-tokens 8 --prompt-template '{prompt}' --seed 7 \
  --gpus-per-task "$gpus"
"${submit[@]}" score --run "$run" --version latest --estimator grpo --reward math --mode lenient --expected-group-size 8
"${submit[@]}" learn --run "$run" --algorithm remix --steps-per-version 2 --batch-size 256 --seed 7 \
  --set lr=3e-4 --set kl_beta=0.001
"${submit[@]}" evaluate --run "$run" --version latest --dataset arith --split test --limit 256 --max-new-tokens 8 \
  --prompt-template '{prompt}' --mode lenient
# The whole loop, or the demo, as one application:
#   "${submit[@]}" run --config "$here/conf/run.properties" --set run.id="$run"
#   "${submit[@]}" demo
