"""What an MLflow store holds, read through MLflow's own client into plain dataclasses.

This is the only module that imports ``mlflow``, and only when a store is read, so the client
installs and imports without it (``pip install 'model-registry-client[mlflow]'`` brings it).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

MISSING_MLFLOW = (
    "the MLflow import needs the mlflow package: pip install 'model-registry-client[mlflow]'"
)
# MLflow's flavours that mean a neural network; anything else is taken as statistical.
DEEP_LEARNING_FLAVORS = ("pytorch", "tensorflow", "keras", "onnx", "transformers", "paddle")


@dataclass(frozen=True)
class LoggedDataset:
    """A dataset a run logged as an input: MLflow names it by (name, digest)."""

    name: str
    digest: str
    source_type: str
    source: Mapping[str, Any]
    profile: Mapping[str, Any]
    context: str | None


@dataclass(frozen=True)
class Run:
    """An MLflow run: the analysis that produced its models."""

    run_id: str
    name: str
    experiment_id: str
    experiment: str
    status: str
    start_time: int | None
    end_time: int | None
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    datasets: tuple[LoggedDataset, ...]


@dataclass(frozen=True)
class Version:
    """One version of a registered model, with the run that logged it (None without one)."""

    number: int
    source: str
    status: str
    description: str
    tags: Mapping[str, str]
    run: Run | None
    flavors: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisteredModel:
    """A registered model: its versions by number (gaps as MLflow left them) and aliases."""

    name: str
    description: str
    tags: Mapping[str, str]
    versions: tuple[Version, ...]
    aliases: Mapping[str, int] = field(default_factory=dict)


def read_store(tracking_uri: str, registry_uri: str | None = None) -> list[RegisteredModel]:
    """Every registered model of the store, each version with its run, by name."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    try:
        import mlflow
    except ImportError:
        raise ValueError(MISSING_MLFLOW) from None
    # Reading a model's MLmodel file (its flavours) goes through the process-wide store.
    mlflow.set_tracking_uri(tracking_uri)
    if registry_uri is not None:
        mlflow.set_registry_uri(registry_uri)
    from mlflow import MlflowClient

    reader = _Reader(MlflowClient(tracking_uri=tracking_uri, registry_uri=registry_uri))
    return sorted(reader.models(), key=lambda m: m.name)


class _Reader:
    def __init__(self, client: Any) -> None:
        self.client = client
        self._runs: dict[str, Run | None] = {}
        self._experiments: dict[str, str] = {}

    def models(self) -> Iterator[RegisteredModel]:
        for rm in _pages(self.client.search_registered_models):
            versions = [
                self.version(v)
                for v in _pages(self.client.search_model_versions, filter_string=_named(rm.name))
            ]
            yield RegisteredModel(
                name=rm.name,
                description=rm.description or "",
                tags=dict(rm.tags or {}),
                versions=tuple(sorted(versions, key=lambda v: v.number)),
                aliases={a: int(v) for a, v in (rm.aliases or {}).items()},
            )

    def version(self, v: Any) -> Version:
        return Version(
            number=int(v.version),
            source=v.source or "",
            status=str(v.status or ""),
            description=v.description or "",
            tags=dict(v.tags or {}),
            run=self.run(v.run_id) if v.run_id else None,
            flavors=self.flavors(v.source),
        )

    def run(self, run_id: str) -> Run | None:
        if run_id not in self._runs:
            self._runs[run_id] = self._read_run(run_id)
        return self._runs[run_id]

    def _read_run(self, run_id: str) -> Run | None:
        from mlflow.exceptions import MlflowException

        try:
            r = self.client.get_run(run_id)
        except MlflowException:
            return None  # deleted, or in a store this client cannot reach
        return Run(
            run_id=r.info.run_id,
            name=r.info.run_name or r.info.run_id,
            experiment_id=r.info.experiment_id,
            experiment=self.experiment(r.info.experiment_id),
            status=r.info.status,
            start_time=r.info.start_time,
            end_time=r.info.end_time,
            params=dict(r.data.params),
            metrics={k: v for k, v in r.data.metrics.items() if math.isfinite(v)},
            datasets=tuple(_dataset(d) for d in (r.inputs.dataset_inputs if r.inputs else [])),
        )

    def experiment(self, experiment_id: str) -> str:
        if experiment_id not in self._experiments:
            self._experiments[experiment_id] = self.client.get_experiment(experiment_id).name
        return self._experiments[experiment_id]

    def flavors(self, source: str | None) -> tuple[str, ...]:
        """The flavours of the model's MLmodel file, when MLflow can read it."""
        if not source:
            return ()
        try:
            from mlflow.models import get_model_info

            return tuple(sorted(get_model_info(source).flavors))
        except Exception:  # the bytes may live where this machine cannot read them
            return ()


def _dataset(d: Any) -> LoggedDataset:
    context = next((t.value for t in d.tags if t.key == "mlflow.data.context"), None)
    return LoggedDataset(
        name=d.dataset.name,
        digest=d.dataset.digest,
        source_type=d.dataset.source_type or "",
        source=_json_object(d.dataset.source),
        profile=_json_object(d.dataset.profile),
        context=context,
    )


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def _named(name: str) -> str:
    # MLflow's filter strings take either quote and no escapes.
    return f'name = "{name}"' if "'" in name else f"name = '{name}'"


def _pages(search: Any, **kw: Any) -> Iterator[Any]:
    """Every item of an MLflow search, page by page."""
    token = None
    while True:
        page = search(max_results=100, page_token=token, **kw)
        yield from page
        token = page.token
        if not token:
            return
