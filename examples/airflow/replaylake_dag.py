"""ReplayLake on Airflow: one RL iteration per DAG run, as a chain of spark-submit tasks.

rollout (latest version, step auto) -> score (latest) -> learn (publishes latest + 1) -> evaluate (the new latest)

The commands are exactly the CLI's (`bin/replaylake <command> ...` == `spark-submit --class
com.replaylake.jobs.cli.ReplayLakeCli replaylake-spark.jar <command> ...`). Every job is idempotent
and atomic per (run, version, step), so Airflow retries are safe: a retried rollout or score
replaces its own partition, a retried learn publishes exactly one version. `max_active_runs=1`
keeps iterations in order. Bootstrap a run once before enabling the DAG:

    bin/replaylake --lakehouse $LAKEHOUSE synth                      # or ingest your own dataset
    bin/replaylake --lakehouse $LAKEHOUSE register-base --run $RUN --plain   # or --checkpoint URI
    bin/replaylake --lakehouse $LAKEHOUSE sft --run $RUN --dataset arith --steps 3000 --stop-at 0.3

Configure with Airflow Variables (defaults in brackets): replaylake_home [/opt/replaylake],
replaylake_lakehouse [hdfs:///replaylake], replaylake_run [demo], replaylake_profile [cluster].
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

HOME = Variable.get("replaylake_home", default_var="/opt/replaylake")
LAKEHOUSE = Variable.get("replaylake_lakehouse", default_var="hdfs:///replaylake")
RUN = Variable.get("replaylake_run", default_var="demo")
PROFILE = Variable.get("replaylake_profile", default_var="cluster")  # conf/cluster.properties or conf/gpu.properties

SUBMIT = (
    "spark-submit --properties-file {home}/conf/{profile}.properties "
    "--class com.replaylake.jobs.cli.ReplayLakeCli {home}/replaylake-spark.jar --lakehouse {lakehouse} "
).format(home=HOME, profile=PROFILE, lakehouse=LAKEHOUSE)

default_args = {"retries": 2, "retry_delay": timedelta(minutes=2)}

with DAG(
    dag_id="replaylake_rl_iteration",
    description="One ReplayLake RLVR iteration: rollout -> score -> learn -> evaluate",
    start_date=datetime(2026, 1, 1),
    schedule=timedelta(minutes=30),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["replaylake", "rlvr"],
) as dag:
    rollout = BashOperator(
        task_id="rollout",
        bash_command=SUBMIT + f"rollout --run {RUN} --version latest --step auto --dataset arith --split train "
        "--prompts-per-step 64 --samples-per-prompt 8 --max-new-tokens 8 --prompt-template '{prompt}' --seed 7",
    )
    score = BashOperator(
        task_id="score",
        bash_command=SUBMIT + f"score --run {RUN} --version latest --estimator grpo --reward math --mode lenient "
        "--expected-group-size 8",
    )
    learn = BashOperator(
        task_id="learn",
        bash_command=SUBMIT + f"learn --run {RUN} --algorithm remix --steps-per-version 2 --batch-size 256 --seed 7 "
        "--set lr=3e-4 --set kl_beta=0.001",
    )
    evaluate = BashOperator(
        task_id="evaluate",
        bash_command=SUBMIT + f"evaluate --run {RUN} --version latest --dataset arith --split test --limit 256 "
        "--max-new-tokens 8 --prompt-template '{prompt}' --mode lenient",
    )
    rollout >> score >> learn >> evaluate
