"""The writes: registering each kind and curating versions, each with an idempotency key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from model_registry_client import documents as doc
from model_registry_client.connection import Connection
from model_registry_client.inputs import (
    AnalysisInput,
    DatasetInput,
    GateMetric,
    HypothesisInput,
    Link,
    ModelInput,
)
from model_registry_client.results import (
    Analysis,
    Artifact,
    Dataset,
    Hypothesis,
    Model,
    RegistryMetric,
)


class Writes(Connection):
    """Methods that change the registry; a retry of one sends the same idempotency key."""

    # --- registering -------------------------------------------------------------------

    def register_dataset(
        self, input: DatasetInput, *, idempotency_key: str | None = None
    ) -> Dataset:
        """Register the next version of a dataset lineage."""
        variables = {"input": input.to_graphql()}
        return cast(
            Dataset,
            self._write(doc.REGISTER_DATASET, variables, "registerDataset", idempotency_key),
        )

    def register_hypothesis(
        self, input: HypothesisInput, *, idempotency_key: str | None = None
    ) -> Hypothesis:
        """Register the next version of a hypothesis lineage."""
        variables = {"input": input.to_graphql()}
        result = self._write(
            doc.REGISTER_HYPOTHESIS, variables, "registerHypothesis", idempotency_key
        )
        return cast(Hypothesis, result)

    def register_analysis(
        self, input: AnalysisInput, *, idempotency_key: str | None = None
    ) -> Analysis:
        """Register the next version of an analysis lineage with its inputs."""
        variables = {"input": input.to_graphql()}
        result = self._write(doc.REGISTER_ANALYSIS, variables, "registerAnalysis", idempotency_key)
        return cast(Analysis, result)

    def register_model(self, input: ModelInput, *, idempotency_key: str | None = None) -> Model:
        """Register the next version of a model lineage; the answer carries its score."""
        variables = {"input": input.to_graphql()}
        return cast(
            Model, self._write(doc.REGISTER_MODEL, variables, "registerModel", idempotency_key)
        )

    # --- curating ------------------------------------------------------------------------

    def add_links(
        self, id: str, links: Iterable[Link], *, idempotency_key: str | None = None
    ) -> Artifact:
        """Add links to a version (a link to a lineage already linked is replaced)."""
        variables = {"id": id, "links": [link.to_graphql() for link in links]}
        return cast(Artifact, self._write(doc.ADD_LINKS, variables, "addLinks", idempotency_key))

    def remove_links(
        self, id: str, links: Iterable[Link], *, idempotency_key: str | None = None
    ) -> Artifact:
        """Remove links of a version."""
        variables = {"id": id, "links": [link.to_graphql() for link in links]}
        return cast(
            Artifact, self._write(doc.REMOVE_LINKS, variables, "removeLinks", idempotency_key)
        )

    def set_alias(
        self,
        lineage_id: str,
        alias: str,
        version_id: str,
        *,
        reason: str = "",
        expected_version_id: str | None = None,
        force: bool = False,
        idempotency_key: str | None = None,
    ) -> Artifact:
        """Point an alias at a version; with ``expected_version_id``, only if it holds that now."""
        variables = {
            "lineageId": lineage_id,
            "alias": alias,
            "versionId": version_id,
            "reason": reason,
            "expectedVersionId": expected_version_id,
            "force": force,
        }
        return cast(Artifact, self._write(doc.SET_ALIAS, variables, "setAlias", idempotency_key))

    def remove_alias(
        self,
        lineage_id: str,
        alias: str,
        *,
        reason: str = "",
        expected_version_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Artifact:
        """Remove an alias; the answer is the version it pointed at."""
        variables = {
            "lineageId": lineage_id,
            "alias": alias,
            "reason": reason,
            "expectedVersionId": expected_version_id,
        }
        return cast(
            Artifact, self._write(doc.REMOVE_ALIAS, variables, "removeAlias", idempotency_key)
        )

    def protect_alias(self, lineage_id: str, alias: str, gate: Iterable[GateMetric] = ()) -> bool:
        """Protect an alias (admin): moving it then passes its gate."""
        variables = {
            "lineageId": lineage_id,
            "alias": alias,
            "gate": [g.to_graphql() for g in gate],
        }
        return bool(self._write(doc.PROTECT_ALIAS, variables, "protectAlias", None))

    def unprotect_alias(self, lineage_id: str, alias: str) -> bool:
        """Lift an alias's protection (admin)."""
        variables = {"lineageId": lineage_id, "alias": alias}
        return bool(self._write(doc.UNPROTECT_ALIAS, variables, "unprotectAlias", None))

    def set_tags(
        self, id: str, tags: Mapping[str, str], *, idempotency_key: str | None = None
    ) -> Artifact:
        """Add tags to a version, or change the values of keys it has."""
        variables = {"id": id, "tags": [{"key": k, "value": v} for k, v in tags.items()]}
        return cast(Artifact, self._write(doc.SET_TAGS, variables, "setTags", idempotency_key))

    def remove_tags(
        self, id: str, keys: Iterable[str], *, idempotency_key: str | None = None
    ) -> Artifact:
        """Remove tags of a version by key."""
        variables = {"id": id, "keys": list(keys)}
        return cast(
            Artifact, self._write(doc.REMOVE_TAGS, variables, "removeTags", idempotency_key)
        )

    def archive(self, id: str, reason: str, *, idempotency_key: str | None = None) -> Artifact:
        """Archive a version: readable by id, gone from latest-only lists."""
        variables = {"id": id, "reason": reason}
        return cast(
            Artifact, self._write(doc.ARCHIVE_VERSION, variables, "archiveVersion", idempotency_key)
        )

    def restore(self, id: str, reason: str, *, idempotency_key: str | None = None) -> Artifact:
        """Restore an archived version."""
        variables = {"id": id, "reason": reason}
        return cast(
            Artifact, self._write(doc.RESTORE_VERSION, variables, "restoreVersion", idempotency_key)
        )

    def declare_metric(self, name: str, direction: str, description: str = "") -> RegistryMetric:
        """Declare whether ``higher`` or ``lower`` is better for a metric, registry-wide."""
        variables = {"name": name, "direction": direction.upper(), "description": description}
        return cast(
            RegistryMetric, self._write(doc.DECLARE_METRIC, variables, "declareMetric", None)
        )
