"""Airflow DAG: nightly prepare -> tokenizer -> pack -> distributed train on a Spark cluster.

Each task calls deploy/spark-submit.sh; every job writes its output all-or-nothing (a
_DTI_SUCCESS marker last), so a retried task with --overwrite is safe and a downstream task
never reads a half-written input. Set the Airflow Variables dti_home, dti_master and
dti_data (raw input root), or edit the defaults below.

The train task is a barrier stage of dti_ranks ranks (one executor each, with its GPUs when
dti_gpus_per_rank > 0). A retried train task resumes from the run's newest checkpoint (no
--overwrite: the output directory is the resume point), and inside one try the driver
already reruns a failed stage dist.max-attempts times.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

HOME = Variable.get("dti_home", default_var="/opt/dti")
MASTER = Variable.get("dti_master", default_var="yarn")
DATA = Variable.get("dti_data", default_var="hdfs:///data/dti")
RUN = DATA + "/runs/{{ ds }}"
RANKS = int(Variable.get("dti_ranks", default_var="4"))
GPUS = int(Variable.get("dti_gpus_per_rank", default_var="0"))
SUBMIT = f"{HOME}/deploy/spark-submit.sh --master {MASTER} --deploy-mode cluster --"
GPU_CONF = (f"--conf spark.executor.resource.gpu.amount={GPUS} --conf spark.task.resource.gpu.amount={GPUS} "
            if GPUS > 0 else "")
TRAIN_SUBMIT = (f"{HOME}/deploy/spark-submit.sh --master {MASTER} --deploy-mode cluster "
                f"--conf spark.executor.instances={RANKS} --conf spark.executor.cores=1 {GPU_CONF}--")

with DAG(
    dag_id="dti_pack",
    start_date=datetime(2026, 1, 1),
    schedule="@daily",
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["dti", "ctr"],
) as dag:
    prepare = BashOperator(
        task_id="prepare",
        bash_command=f"{SUBMIT} prepare --conf {HOME}/conf/ml-100k.conf --input {DATA}/raw "
                     f"--output {RUN}/prepared --overwrite",
    )
    tokenizer = BashOperator(
        task_id="tokenizer",
        bash_command=f"{SUBMIT} tokenizer --prepared {RUN}/prepared --output {RUN}/tokenizer --overwrite",
    )
    pack = BashOperator(
        task_id="pack",
        bash_command=f"{SUBMIT} pack --conf {HOME}/conf/ml-100k.conf --prepared {RUN}/prepared "
                     f"--tokenizer {RUN}/tokenizer --output {RUN}/packed --overwrite",
    )
    train = BashOperator(
        task_id="train",
        bash_command=f"{TRAIN_SUBMIT} train --conf {HOME}/conf/ml-100k.conf --packed {RUN}/packed "
                     f"--tokenizer {RUN}/tokenizer --output {RUN}/train --ranks {RANKS} "
                     f"--set train.checkpoint-every=200",
    )
    prepare >> tokenizer >> pack >> train
