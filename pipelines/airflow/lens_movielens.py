"""Airflow DAG that runs lens: the pipeline on each new drop, then the weekly buffer batches.

For teams that already schedule with Airflow (the seed projects did). Airflow only orders and
retries; all the work, the checks and the catalog are lens's. Copy this file into the DAGs
folder and set the Airflow Variables `lens_bin` (path of the lens binary), `lens_drop` (the drop
folder or .zip to load) and `lens_database` (a PostgreSQL URL; keep passwords in a Connection
or ~/.pgpass, not here).

Two DAGs:
- `lens_movielens_load`: manual or @monthly; `lens fetch` (optional) -> `lens run` with the buffer
  held back -> `lens check` -> `lens report`. A rerun on an unchanged drop is a no-op in lens.
- `lens_movielens_weekly_batch`: @weekly; appends the earliest held-back buffer batch
  (`lens append --next`: lens knows which batches are appended, so the order never depends on
  dates; once all are appended it says so and succeeds). Retries and backfills are safe.
"""
from datetime import datetime, timedelta

from airflow import DAG

try:
    from airflow.providers.standard.operators.bash import BashOperator  # Airflow 3
except ImportError:
    from airflow.operators.bash import BashOperator  # Airflow 2

LENS = "{{ var.value.get('lens_bin', 'lens') }}"
DB = "--database '{{ var.value.get('lens_database', '') }}'"
DROP = "{{ var.value.get('lens_drop', 'data/sample') }}"

default_args = {"owner": "data", "retries": 2, "retry_delay": timedelta(minutes=5)}

with DAG(
    dag_id="lens_movielens_load",
    start_date=datetime(2024, 1, 1),
    schedule="@monthly",
    catchup=False,
    default_args=default_args,
    tags=["lens", "movielens"],
) as load_dag:
    run = BashOperator(
        task_id="lens_run",
        bash_command=f"{LENS} run --source {DROP} --out /var/lib/lens/out --hold-back-buffer {DB} --format json",
    )
    check = BashOperator(task_id="lens_check", bash_command=f"{LENS} check {DB}")
    report = BashOperator(task_id="lens_report", bash_command=f"{LENS} report --out /var/lib/lens/report.html {DB}")
    run >> check >> report

with DAG(
    dag_id="lens_movielens_weekly_batch",
    start_date=datetime(2024, 1, 1),
    schedule="@weekly",
    catchup=False,
    default_args=default_args,
    tags=["lens", "movielens"],
) as batch_dag:
    # Not a batch number computed from dates: from a start mid-cycle that appends 2, 3, 4, 5, 1
    # (a gap in time). lens appends batches in time order and records each in its catalog.
    append = BashOperator(task_id="lens_append", bash_command=f"{LENS} append --next {DB}")
    drift = BashOperator(task_id="lens_drift", bash_command=f"{LENS} drift {DB}")
    append >> drift
