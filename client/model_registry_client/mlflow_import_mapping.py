"""How MLflow's things become the registry's: ids, idempotency keys, inputs. Pure: no I/O.

A registered model is a model lineage and each of its versions a model version; an
experiment is an analysis lineage and each run a version of it; a logged dataset (name) is a
dataset lineage and each digest a version. Lineage ids follow the registry's rule for names
from outside (``derived_lineage_id``), so importing the same store anywhere gives the same
ids, and the keys of the writes are made from MLflow's identities, so a repeated import is
the same request to the registry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from model_registry_client.ids import derived_lineage_id
from model_registry_client.inputs import AnalysisInput, DatasetInput, ModelInput
from model_registry_client.mlflow_import_store import (
    DEEP_LEARNING_FLAVORS,
    LoggedDataset,
    RegisteredModel,
    Run,
    Version,
)

NAMESPACE = "mlflow"
DEFAULT_RAW_SCORE = 0.5
# What the registry takes as a uri (its README, "Where the bytes are").
URI_SCHEMES = ("s3://", "gs://", "file://", "https://", "hf://", "abfss://", "az://",
               "dbfs:/", "runs:/", "models:/", "mlflow-artifacts:/")  # fmt: skip
MAX_URI = 2048
# Inputs logged with these contexts were used to evaluate, not to train.
EVALUATION_CONTEXTS = ("eval", "evaluation", "test", "testing", "validation", "valid")
_MLFLOW_DIGEST = re.compile(r"[0-9a-fA-F]{8}")


def model_lineage(model: RegisteredModel) -> str:
    return derived_lineage_id("model", NAMESPACE, model.name)


def analysis_lineage(run: Run) -> str:
    return derived_lineage_id("analysis", NAMESPACE, run.experiment)


def dataset_lineage(dataset: LoggedDataset) -> str:
    return derived_lineage_id("dataset", NAMESPACE, dataset.name)


def model_key(model: RegisteredModel, version: Version) -> str:
    return f"mlflow-import:model:{model_lineage(model)}:{version.number}"


def analysis_key(run: Run) -> str:
    return f"mlflow-import:run:{run.run_id}"


def dataset_key(dataset: LoggedDataset) -> str:
    return f"mlflow-import:dataset:{dataset_lineage(dataset)}:{dataset.digest}"


def alias_key(model: RegisteredModel, alias: str, number: int) -> str:
    return f"mlflow-import:alias:{model_lineage(model)}:{alias}:{number}"


def registry_digest(digest: str) -> str | None:
    """MLflow's 8-hex dataset digest with its algorithm named; None for another form."""
    return f"mlflow:{digest.lower()}" if _MLFLOW_DIGEST.fullmatch(digest) else None


def location(uri: str | None) -> str | None:
    """A source as the registry's uri: a local path as file://, None when it takes none."""
    if not uri:
        return None
    if uri.startswith("/"):
        uri = "file://" + uri
    if len(uri) > MAX_URI or any(c.isspace() or ord(c) < 32 for c in uri):
        return None
    scheme = next((s for s in URI_SCHEMES if uri.startswith(s)), None)
    return uri if scheme is not None and len(uri) > len(scheme) else None


def raw_score(metrics: Mapping[str, float], quality_metric: str | None) -> float | None:
    """The named metric clipped to [0, 1]; None when it is not named or not reported."""
    if quality_metric is None or quality_metric not in metrics:
        return None
    return min(1.0, max(0.0, metrics[quality_metric]))


def family(flavors: Sequence[str]) -> str:
    return "deep_learning" if any(f in DEEP_LEARNING_FLAVORS for f in flavors) else "statistical"


def architecture(flavors: Sequence[str]) -> str:
    """The flavour that names the framework (``sklearn``), not MLflow's generic one."""
    named = [f for f in flavors if f != "python_function"]
    return named[0] if named else ""


def trained_on(run: Run) -> list[LoggedDataset]:
    """The run's inputs that trained the model: all but those logged for evaluation."""
    return [d for d in run.datasets if (d.context or "").lower() not in EVALUATION_CONTEXTS]


def dataset_input(dataset: LoggedDataset) -> DatasetInput:
    digest = registry_digest(dataset.digest)
    uri = next((location(str(dataset.source[k])) for k in ("uri", "url", "path")
                if k in dataset.source), None)  # fmt: skip
    return DatasetInput(
        dataset_lineage(dataset),
        dataset.name,
        description=f"MLflow dataset {dataset.name}, digest {dataset.digest}",
        metadata={
            NAMESPACE: {
                "name": dataset.name,
                "digest": dataset.digest,
                "source_type": dataset.source_type,
                "source": dict(dataset.source),
                "profile": dict(dataset.profile),
            }
        },
        uri=uri,
        digest=digest,
    )


def analysis_input(run: Run, inputs: Sequence[str]) -> AnalysisInput:
    return AnalysisInput(
        analysis_lineage(run),
        run.name,
        description=f"MLflow run {run.run_id} of experiment {run.experiment}",
        metadata={
            NAMESPACE: {
                "run_id": run.run_id,
                "run_name": run.name,
                "experiment": run.experiment,
                "experiment_id": run.experiment_id,
                "status": run.status,
                "start_time": run.start_time,
                "end_time": run.end_time,
            }
        },
        inputs=list(inputs),
    )


def model_input(
    model: RegisteredModel,
    version: Version,
    *,
    score: float,
    trained_on: Sequence[str],
    produced_by: str | None,
) -> ModelInput:
    run = version.run
    meta: dict[str, Any] = {
        "model": model.name,
        "version": version.number,
        "source": version.source,
        "status": version.status,
        "tags": dict(version.tags),
        "run_id": run.run_id if run else None,
    }
    return ModelInput(
        model_lineage(model),
        model.name,
        family=family(version.flavors),
        raw_quality_score=score,
        description=version.description or model.description,
        metadata={NAMESPACE: meta},
        architecture=architecture(version.flavors),
        training_config=dict(run.params) if run else {},
        evaluation_metrics=dict(run.metrics) if run else {},
        trained_on=list(trained_on),
        produced_by=produced_by,
        uri=location(version.source),
    )


def mlflow_meta(artifact: Mapping[str, Any]) -> Mapping[str, Any]:
    """What an imported version recorded of its MLflow origin (empty for other versions)."""
    meta = (artifact.get("metadata") or {}).get(NAMESPACE)
    return meta if isinstance(meta, Mapping) else {}
