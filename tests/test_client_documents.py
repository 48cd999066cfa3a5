"""The client's documents and inputs against schema.graphql: drift fails here, not in a pipeline.

The client package does not depend on graphql-core; this test, in the server's environment,
parses and validates every document it sends and coerces every input it builds.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import cast

import pytest
from graphql import GraphQLInputType, build_schema, parse, validate
from graphql.utilities import validate_input_value
from model_registry_client import documents
from model_registry_client.inputs import (
    AnalysisInput,
    DatasetInput,
    GateMetric,
    GraphQLInput,
    HypothesisInput,
    Link,
    ModelInput,
    Sort,
)

from app.settings import PROJECT_ROOT

SCHEMA = build_schema((PROJECT_ROOT / "schema.graphql").read_text())

# Each input as full as it gets: every field the client can send, set.
FULL_INPUTS: list[tuple[str, GraphQLInput]] = [
    (
        "RegisterDatasetInput",
        DatasetInput("dataset-x", "X", "d", {"k": 1}, "s3://b/x.parquet", "sha256:" + "0" * 64, 10),
    ),
    ("RegisterHypothesisInput", HypothesisInput("hypothesis-x", "H", "d", {"k": 1})),
    ("RegisterAnalysisInput", AnalysisInput("analysis-x", "A", "d", {}, ["dataset-x-v1"], ["h"])),
    (
        "RegisterModelInput",
        ModelInput(
            lineage_id="model-x",
            title="M",
            family="statistical",
            raw_quality_score=0.5,
            description="d",
            metadata={"k": 1},
            architecture="ridge",
            parameter_count=11,
            training_config={"alpha": 1.0},
            evaluation_metrics={"rmse": 0.1, "r2": {"value": 0.5, "stderr": 0.01}},
            metric_directions={"rmse": "lower"},
            trained_on=["dataset-x-v1"],
            produced_by="analysis-x-v1",
            tests_hypotheses=["hypothesis-x-v1"],
            derived_from=["model-y-v1"],
            uri="file:///tmp/m.pkl",
            digest="sha256:" + "1" * 64,
            size_bytes=100,
        ),
    ),
    ("LinkInput", Link("trained_on", "dataset-x-v1")),
    ("GateMetricInput", GateMetric("rmse", 0.1, 0.01, 0.02)),
]


@pytest.mark.parametrize("name", sorted(documents.ALL))
def test_every_document_is_valid_against_the_schema(name: str) -> None:
    errors = validate(SCHEMA, parse(documents.ALL[name]))
    assert errors == [], f"{name}: {[e.message for e in errors]}"


def test_documents_are_named_for_their_operation_and_one_per_constant() -> None:
    operations = {}
    for name, text in documents.ALL.items():
        found = re.findall(r"^(?:query|mutation) (\w+)", text, re.MULTILINE)
        assert len(found) == 1, name
        operations[name] = found[0]
    assert len(set(operations.values())) == len(operations)
    assert operations["REGISTER_MODEL"] == "RegisterModel"


@pytest.mark.parametrize(("type_name", "value"), FULL_INPUTS, ids=[n for n, _ in FULL_INPUTS])
def test_every_input_field_the_client_sends_is_in_the_schema(
    type_name: str, value: GraphQLInput
) -> None:
    input_type = SCHEMA.get_type(type_name)
    assert input_type is not None, type_name
    sent = value.to_graphql()
    assert len(sent) == len(fields(value)), sorted(sent)  # every field set is sent
    assert problems(sent, input_type) == []


def test_an_unknown_input_field_is_what_the_check_catches() -> None:
    """The coercion above is able to fail: a renamed field does not coerce."""
    renamed = {"type": "TRAINED_ON", "targetId": "dataset-x-v1"}
    found = problems(renamed, SCHEMA.get_type("LinkInput"))
    assert any("targetId" in p for p in found) and any("target" in p for p in found), found


@pytest.mark.parametrize(
    "text", ["quality_score", "created_at:asc", "metric:rmse", "metric:r2:desc"]
)
def test_sorts_become_valid_model_sort_inputs(text: str) -> None:
    assert problems(Sort.parse(text).to_graphql(), SCHEMA.get_type("ModelSort")) == []


def problems(value: object, input_type: object) -> list[str]:
    """What the schema's input type finds wrong with ``value``, with the paths."""
    assert input_type is not None
    found: list[str] = []
    validate_input_value(
        value,
        cast(GraphQLInputType, input_type),
        lambda error, path: found.append(f"{'.'.join(map(str, path))}: {error.message}"),
    )
    return found
