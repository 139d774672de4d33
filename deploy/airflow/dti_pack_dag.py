"""Airflow DAG: nightly prepare -> tokenizer -> pack on a Spark cluster.

Each task calls deploy/spark-submit.sh; every job writes its output all-or-nothing (a
_DTI_SUCCESS marker last), so a retried task with --overwrite is safe and a downstream task
never reads a half-written input. Set the Airflow Variables dti_home, dti_master and
dti_data (raw input root), or edit the defaults below.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

HOME = Variable.get("dti_home", default_var="/opt/dti")
MASTER = Variable.get("dti_master", default_var="yarn")
DATA = Variable.get("dti_data", default_var="hdfs:///data/dti")
RUN = DATA + "/runs/{{ ds }}"
SUBMIT = f"{HOME}/deploy/spark-submit.sh --master {MASTER} --deploy-mode cluster --"

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
    prepare >> tokenizer >> pack
