"""A provenance chain registered through the client: dataset, hypothesis, analysis, models."""

from __future__ import annotations

from dataclasses import dataclass

from model_registry_client import AnalysisInput, DatasetInput, HypothesisInput, ModelInput, Registry
from model_registry_client.results import Analysis, Dataset, Hypothesis, Model

DIGEST = "sha256:" + "ab" * 32


@dataclass
class Chain:
    dataset: Dataset
    hypothesis: Hypothesis
    analysis: Analysis


def register_chain(registry: Registry, name: str = "demo") -> Chain:
    """A pinned dataset version and a hypothesis, both used by one analysis version."""
    dataset = registry.register_dataset(
        DatasetInput(
            f"dataset-{name}",
            f"Data {name}",
            uri="s3://bucket/data.parquet",
            digest=DIGEST,
            size_bytes=1234,
            metadata={"rows": 10},
        )
    )
    hypothesis = registry.register_hypothesis(HypothesisInput(f"hypothesis-{name}", "It works"))
    analysis = registry.register_analysis(
        AnalysisInput(
            f"analysis-{name}", "Fit", inputs=[dataset["id"]], addresses=[hypothesis["id"]]
        )
    )
    return Chain(dataset, hypothesis, analysis)


def register_model(
    registry: Registry, chain: Chain, lineage: str, metrics: dict[str, float], **kw: object
) -> Model:
    """A model with complete provenance on ``chain`` (unless ``kw`` says otherwise)."""
    fields: dict[str, object] = {
        "family": "statistical",
        "raw_quality_score": 0.8,
        "trained_on": [chain.dataset["id"]],
        "produced_by": chain.analysis["id"],
        "tests_hypotheses": [chain.hypothesis["id"]],
        "evaluation_metrics": metrics,
    }
    fields.update(kw)
    return registry.register_model(ModelInput(lineage, lineage.title(), **fields))  # type: ignore[arg-type]
