"""Loads a DAG file with Airflow's DagBag and prints each BashOperator's rendered command as JSON.

Usage: render_airflow_dag.py DAG_FILE OUT_JSON. Writes {"import_errors": {...}, "commands": {"dag.task": "..."}}
to OUT_JSON (not stdout, where Airflow logs).
Templates are rendered with Airflow's own Jinja environment of each DAG, the Variables replaced by
their defaults (no metadata database is needed) and a fixed logical date.
"""
import json
import os
import sys
import tempfile
from datetime import datetime, timezone

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="lens-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow >= 3.1
except ImportError:
    from airflow.models.dagbag import DagBag


class Variables:
    """`var.value.get(name, default)` in a template: always the default."""

    def get(self, name, default=None):
        return default


def main(path, out):
    bag = DagBag(dag_folder=path)
    commands = {}
    when = datetime(2024, 3, 11, tzinfo=timezone.utc)
    for dag_id, dag in sorted(bag.dags.items()):
        for task in dag.tasks:
            command = getattr(task, "bash_command", None)
            if command is None:
                continue
            context = {
                "var": {"value": Variables()},
                "dag": dag,
                "task": task,
                "ds": when.date().isoformat(),
                "logical_date": when,
                "data_interval_start": when,
                "data_interval_end": when,
                "params": {},
            }
            env = dag.get_template_env()
            commands[f"{dag_id}.{task.task_id}"] = env.from_string(command).render(**context)
    with open(out, "w") as f:
        json.dump({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "commands": commands},
                  f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
