"""Import an MLflow store into the registry: models, versions, runs, datasets and aliases.

What exists is looked up first (each imported version records its MLflow identity in
``metadata.mlflow``), so a second import writes only what MLflow gained since; each write
that is sent carries a key made from MLflow's identities, so a retried or concurrent import
of the same thing is stored once. Version numbers are the registry's own (1..n): MLflow's,
gaps included, stay in ``metadata.mlflow.version``. Aliases are set as ordinary moves; a
protected alias whose gate refuses is reported, never forced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from model_registry_client import mlflow_import_mapping as mapping
from model_registry_client.errors import RegistryError
from model_registry_client.mlflow_import_store import (
    LoggedDataset,
    RegisteredModel,
    Run,
    Version,
    read_store,
)
from model_registry_client.registry import Registry

# Refusals of an alias move the import reports and goes past.
ALIAS_REFUSALS = ("PROMOTION_REFUSED", "FORBIDDEN", "BAD_USER_INPUT", "CONFLICT")
# Refusals of one version's input (too many metrics, a name too long): reported, and the
# import goes on with the next version. Anything else (no connection, no token) stops it.
INPUT_REFUSALS = ("BAD_USER_INPUT", "CONFLICT", "IDEMPOTENCY_KEY_REUSED", "WRONG_KIND")


@dataclass
class Outcome:
    """Ids by kind (``datasets``, ``analyses``, ``models``) and the alias moves."""

    datasets: list[str] = field(default_factory=list)
    analyses: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "datasets": self.datasets,
            "analyses": self.analyses,
            "models": self.models,
            "aliases": self.aliases,
        }


@dataclass
class Report:
    """What an import did; printed as JSON by ``model-registry import-mlflow``."""

    tracking_uri: str
    quality_metric: str | None
    created: Outcome = field(default_factory=Outcome)
    skipped: Outcome = field(default_factory=Outcome)
    refused: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Every model version the store maps to, imported now or before: id -> warning codes.
    provenance: dict[str, list[str]] = field(default_factory=dict)
    # MLflow model name -> MLflow version number -> the registry's version id.
    versions: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        complete = [i for i, codes in self.provenance.items() if not codes]
        return {
            "tracking_uri": self.tracking_uri,
            "quality_metric": self.quality_metric,
            "created": self.created.as_json(),
            "skipped": self.skipped.as_json(),
            "refused": self.refused,
            "notes": self.notes,
            "versions": self.versions,
            "models": {
                "imported": len(self.provenance),
                "complete_provenance": len(complete),
                "incomplete": [
                    {"id": i, "warnings": codes} for i, codes in self.provenance.items() if codes
                ],
            },
        }


def import_mlflow(
    registry: Registry, tracking_uri: str, *, quality_metric: str | None = None
) -> Report:
    """Import every registered model of the MLflow store at ``tracking_uri``."""
    report = Report(tracking_uri, quality_metric)
    if quality_metric is None:
        report.notes.append(
            f"no --quality-metric: every imported raw quality score is {mapping.DEFAULT_RAW_SCORE}"
        )
    importer = _Importer(registry, report)
    for model in read_store(tracking_uri):
        importer.model(model)
    return report


class _Importer:
    def __init__(self, registry: Registry, report: Report) -> None:
        self.registry = registry
        self.report = report
        # Lineage id -> the versions already in the registry, read once per import.
        self._versions: dict[str, list[dict[str, Any]]] = {}

    def existing(self, lineage_id: str) -> list[dict[str, Any]]:
        if lineage_id not in self._versions:
            self._versions[lineage_id] = [dict(v) for v in self.registry.versions(lineage_id)]
        return self._versions[lineage_id]

    def _find(self, lineage_id: str, key: str, value: Any) -> dict[str, Any] | None:
        found = (v for v in self.existing(lineage_id) if mapping.mlflow_meta(v).get(key) == value)
        return next(found, None)

    def model(self, model: RegisteredModel) -> None:
        lineage = mapping.model_lineage(model)
        imported: dict[int, str] = {}
        for version in model.versions:
            if version.status != "READY":
                self.report.notes.append(
                    f"{model.name} version {version.number} is {version.status}: not imported"
                )
                continue
            try:
                imported[version.number] = self.version(model, version)
            except RegistryError as exc:
                if exc.code not in INPUT_REFUSALS:
                    raise
                self.report.refused.append(
                    {"model": model.name, "version": version.number, "code": exc.code,
                     "message": exc.message, "field": exc.details.get("field")}
                )  # fmt: skip
        self.report.versions[model.name] = {str(n): i for n, i in imported.items()}
        for alias, number in sorted(model.aliases.items()):
            if number in imported:
                self.alias(model, lineage, alias, number, imported[number])

    def version(self, model: RegisteredModel, version: Version) -> str:
        lineage = mapping.model_lineage(model)
        found = self._find(lineage, "version", version.number)
        if found is not None:
            self.report.skipped.models.append(found["id"])
            self._provenance(found)
            # What it was imported with was found then: list it as found now too.
            kept = {"PRODUCED_BY": self.report.skipped.analyses}
            kept["TRAINED_ON"] = self.report.skipped.datasets
            for lk in found.get("links") or []:
                ids = kept.get(lk["type"])
                if ids is not None and lk["artifact"] and lk["artifact"]["id"] not in ids:
                    ids.append(lk["artifact"]["id"])
            return str(found["id"])
        run = version.run
        produced_by = self.analysis(run) if run else None
        trained_on = [self.dataset(d) for d in mapping.trained_on(run)] if run else []
        if run is None:
            self.report.notes.append(
                f"{model.name} version {version.number} has no run: no producing analysis"
            )
        metrics = run.metrics if run else {}
        score = mapping.raw_score(metrics, self.report.quality_metric)
        if score is None and self.report.quality_metric is not None:
            self.report.notes.append(
                f"{model.name} version {version.number} reports no "
                f"{self.report.quality_metric}: raw quality score {mapping.DEFAULT_RAW_SCORE}"
            )
        created = self.registry.register_model(
            mapping.model_input(
                model,
                version,
                score=mapping.DEFAULT_RAW_SCORE if score is None else score,
                trained_on=trained_on,
                produced_by=produced_by,
            ),
            idempotency_key=mapping.model_key(model, version),
        )
        self.existing(lineage).append(dict(created))
        self.report.created.models.append(created["id"])
        self._provenance(dict(created))
        return created["id"]

    def analysis(self, run: Run) -> str:
        lineage = mapping.analysis_lineage(run)
        found = self._find(lineage, "run_id", run.run_id)
        if found is not None:
            if found["id"] not in self.report.skipped.analyses:
                self.report.skipped.analyses.append(found["id"])
            return str(found["id"])
        inputs = _unique(self.dataset(d) for d in run.datasets)
        created = self.registry.register_analysis(
            mapping.analysis_input(run, inputs), idempotency_key=mapping.analysis_key(run)
        )
        self.existing(lineage).append(dict(created))
        self.report.created.analyses.append(created["id"])
        return created["id"]

    def dataset(self, dataset: LoggedDataset) -> str:
        lineage = mapping.dataset_lineage(dataset)
        found = self._find(lineage, "digest", dataset.digest)
        if found is not None:
            if found["id"] not in self.report.skipped.datasets + self.report.created.datasets:
                self.report.skipped.datasets.append(found["id"])
            return str(found["id"])
        created = self.registry.register_dataset(
            mapping.dataset_input(dataset), idempotency_key=mapping.dataset_key(dataset)
        )
        self.existing(lineage).append(dict(created))
        self.report.created.datasets.append(created["id"])
        return created["id"]

    def alias(
        self, model: RegisteredModel, lineage: str, alias: str, number: int, version_id: str
    ) -> None:
        move = {"lineage_id": lineage, "alias": alias, "version_id": version_id}
        held = {a["alias"]: (a["version"] or {}).get("id") for a in self.registry.aliases(lineage)}
        if held.get(alias) == version_id:
            self.report.skipped.aliases.append(move)
            return
        try:
            moved = self.registry.set_alias(
                lineage,
                alias,
                version_id,
                reason=f"imported from MLflow: {model.name}@{alias} is version {number}",
                idempotency_key=mapping.alias_key(model, alias, number),
            )
        except RegistryError as exc:
            if exc.code not in ALIAS_REFUSALS:
                raise
            checks = exc.details.get("checks", [])
            self.report.refused.append(
                {**move, "code": exc.code, "message": exc.message, "checks": checks}
            )
            return
        if alias not in moved["aliases"]:
            # The key was used before: this move was imported once, and the alias has been
            # moved in the registry since. The registry's decision stands.
            self.report.skipped.aliases.append(move)
            self.report.notes.append(f"{lineage}@{alias} was moved in the registry: kept")
            return
        self.report.created.aliases.append(move)

    def _provenance(self, model: dict[str, Any]) -> None:
        warnings = (model.get("provenance") or {}).get("warnings") or []
        self.report.provenance[model["id"]] = [w["code"] for w in warnings]


def _unique(ids: Any) -> Sequence[str]:
    return list(dict.fromkeys(ids))
