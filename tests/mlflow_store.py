"""Builds a real MLflow store with MLflow's own API; run by the MLflow environment's python.

    python -P tests/mlflow_store.py DIR

DIR gets the store the import tests start from (``DIR/mlflow.db`` and the artifacts), and
the same store later, after one more run (``DIR/later/mlflow.db``, a copy of the first database
that MLflow then added to): importing the first and then the second is importing one store
before and after it gained a version. One process makes both, since importing MLflow is the
slow part. It prints what it made as JSON (run ids, dataset digests, metrics), so the tests
check the registry against MLflow's own answers rather than against numbers written twice.

The store: experiment ``diabetes`` trains ridge regressions on scikit-learn's diabetes data
(nothing is downloaded). Model ``diabetes-ridge`` has versions 1 and 2 trained on a logged
dataset (alias ``champion`` on 2), version 3 deleted (a gap), and version 4 from a run that
logged no dataset; model ``diabetes-external`` has one version with no run at all, and
``diabetes-wide`` one whose run logged a metric name the registry refuses. Later, version 5
is trained on another split (another dataset digest) and ``production`` points at it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import mlflow
import mlflow.sklearn
import numpy as np
from mlflow import MlflowClient
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import train_test_split

MODEL = "diabetes-ridge"
EXTERNAL = "diabetes-external"
WIDE = "diabetes-wide"
EXPERIMENT = "diabetes"
DATASET = "diabetes-train"


def tracking_uri(root: Path) -> str:
    return f"sqlite:///{root / 'mlflow.db'}"


def _split(root: Path, seed: int) -> tuple[Any, Any, Any]:
    """A train/test split; the training frame is written to DIR and logged as a dataset."""
    frame = load_diabetes(as_frame=True).frame
    train, test = train_test_split(frame, test_size=0.25, random_state=seed)
    path = root / f"diabetes-train-{seed}.csv"
    train.to_csv(path, index=False)
    dataset = mlflow.data.from_pandas(train, source=path.as_uri(), name=DATASET, targets="target")
    return train, test, dataset


def _run(
    root: Path,
    name: str,
    alpha: float,
    *,
    seed: int = 0,
    log_data: bool = True,
    model_name: str = MODEL,
    extra_metrics: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One training run that logs its params, metrics, input dataset and model."""
    train, test, dataset = _split(root, seed)
    with mlflow.start_run(run_name=name) as run:
        mlflow.log_params({"alpha": alpha, "solver": "auto", "seed": seed})
        if log_data:
            mlflow.log_input(dataset, context="training")
        model = Ridge(alpha=alpha).fit(train.drop(columns="target"), train["target"])
        predicted = model.predict(test.drop(columns="target"))
        metrics = {
            "rmse": float(root_mean_squared_error(test["target"], predicted)),
            "mae": float(mean_absolute_error(test["target"], predicted)),
            "r2": float(r2_score(test["target"], predicted)),
        }
        mlflow.log_metrics({**metrics, **(extra_metrics or {})})
        # Explicit requirements: inferring them would start a subprocess for each model.
        info = mlflow.sklearn.log_model(
            model, name="model", pip_requirements=["scikit-learn"], registered_model_name=model_name
        )
    versions = MlflowClient().search_model_versions(f"name = '{model_name}'")
    version = max(int(v.version) for v in versions if v.run_id == run.info.run_id)
    return {
        "run_id": run.info.run_id,
        "run_name": name,
        "version": version,
        "source": info.model_uri,
        "params": {"alpha": str(alpha), "solver": "auto", "seed": str(seed)},
        "metrics": metrics,
        "dataset": {"name": DATASET, "digest": dataset.digest, "source": path_uri(dataset)}
        if log_data
        else None,
    }


def path_uri(dataset: Any) -> str:
    return str(json.loads(dataset.source.to_json())["uri"])


def build(root: Path) -> dict[str, Any]:
    """The store the tests start from."""
    client = MlflowClient()
    client.create_experiment(EXPERIMENT, artifact_location=(root / "artifacts").as_uri())
    mlflow.set_experiment(EXPERIMENT)
    first = _run(root, "ridge-strong", 1.0)
    second = _run(root, "ridge-weak", 0.1)
    deleted = _run(root, "ridge-deleted", 10.0)
    client.delete_model_version(MODEL, str(deleted["version"]))
    no_data = _run(root, "ridge-no-data", 2.0, log_data=False)
    client.set_registered_model_alias(MODEL, "champion", str(second["version"]))
    # A metric name longer than the registry's 100 characters (MLflow takes 250).
    refused = _run(root, "ridge-wide", 1.0, model_name=WIDE, extra_metrics={"m" * 120: 1.0})
    client.create_registered_model(EXTERNAL, description="Trained elsewhere")
    external_dir = root / "external-model"
    external_dir.mkdir()
    (external_dir / "MLmodel").write_text("flavors: {}\n")
    external = client.create_model_version(EXTERNAL, source=str(external_dir))
    return {
        "tracking_uri": tracking_uri(root),
        "runs": [first, second, no_data],
        "deleted_version": deleted["version"],
        "refused": refused,
        "external": {"version": int(external.version), "source": str(external_dir)},
    }


def add(root: Path) -> dict[str, Any]:
    """One more version on another split of the data, and ``production`` pointed at it."""
    mlflow.set_experiment(EXPERIMENT)
    run = _run(root, "ridge-resplit", 0.5, seed=1)
    MlflowClient().set_registered_model_alias(MODEL, "production", str(run["version"]))
    return {"tracking_uri": tracking_uri(root), "runs": [run]}


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a sqlite database that may still be open."""
    target.mkdir()
    with sqlite3.connect(source / "mlflow.db") as src, sqlite3.connect(target / "mlflow.db") as dst:
        src.backup(dst)


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    mlflow.set_tracking_uri(tracking_uri(root))
    np.random.seed(0)
    made = build(root)
    later = root / "later"
    copy_database(root, later)
    mlflow.set_tracking_uri(tracking_uri(later))
    made["later"] = add(later)
    print(json.dumps(made))


if __name__ == "__main__":
    main()
