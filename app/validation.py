"""Checks on a registration request that need no database. Raise InvalidInput."""

from __future__ import annotations

import math
from typing import Any

import orjson

from app import ids, locations, metric_values
from app.domain import Family, Kind, LinkType, NewArtifact
from app.errors import InvalidInput

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_JSON_BYTES = 64 * 1024
MAX_METRICS = 200
MAX_LINKS = 200
DIRECTIONS = frozenset({"higher", "lower"})
MAX_SEARCH = 200


def _check_json(value: Any, field: str) -> None:
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be a JSON object", field=field)
    try:
        encoded = orjson.dumps(value)
        size = len(encoded)
    except TypeError as exc:
        raise InvalidInput(f"{field} is not valid JSON", field=field) from exc
    if b"\\u0000" in encoded:
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    if size > MAX_JSON_BYTES:
        raise InvalidInput(f"{field} is {size} bytes; the limit is {MAX_JSON_BYTES}", field=field)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_metrics(metrics: Any, directions: Any) -> None:
    """Metrics map names to finite numbers, or to numbers with their uncertainty
    (app.metric_values); directions say higher or lower is better."""
    _check_json(metrics, "evaluationMetrics")
    if len(metrics) > MAX_METRICS:
        raise InvalidInput(f"at most {MAX_METRICS} metrics", field="evaluationMetrics")
    for name, value in metrics.items():
        if not name or len(name) > 100:
            raise InvalidInput("metric names are 1-100 characters", field="evaluationMetrics")
        metric_values.parse(name, value)
    _check_json(directions, "metricDirections")
    if len(directions) > MAX_METRICS:
        raise InvalidInput(f"at most {MAX_METRICS} metric directions", field="metricDirections")
    for name, direction in directions.items():
        if direction not in DIRECTIONS:
            raise InvalidInput(
                f"direction of metric {name!r} must be 'higher' or 'lower'",
                field="metricDirections",
            )


def check_search(search: str | None) -> str | None:
    """A search text within bounds; None for none (an empty one searches nothing away)."""
    if search is not None and len(search) > MAX_SEARCH:
        raise InvalidInput(f"search is longer than {MAX_SEARCH} characters", field="search")
    if search is not None and "\x00" in search:
        raise InvalidInput("search must not contain NUL characters", field="search")
    return search or None


def check_new_artifact(new: NewArtifact) -> None:
    """Reject a request whose content is impossible, before touching the database."""
    ids.check_lineage_id(new.lineage_id)
    if "\x00" in new.title + new.description + new.architecture:
        raise InvalidInput("text fields must not contain NUL characters", field="title")
    if not new.title.strip():
        raise InvalidInput("title must not be empty", field="title")
    if len(new.title) > MAX_TITLE:
        raise InvalidInput(f"title is longer than {MAX_TITLE} characters", field="title")
    if len(new.description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description is longer than {MAX_DESCRIPTION} characters", field="description"
        )
    _check_json(new.metadata, "metadata")
    if len(new.links) > MAX_LINKS:
        raise InvalidInput(f"at most {MAX_LINKS} links", field="links")
    if new.kind is Kind.MODEL:
        _check_model(new)
    _check_location(new)
    produced_by = [s for s in new.links if s.type is LinkType.PRODUCED_BY]
    if len(produced_by) > 1:
        raise InvalidInput("a model has exactly one producing analysis", field="producedBy")


def _check_location(new: NewArtifact) -> None:
    given = new.uri is not None or new.digest is not None or new.size_bytes is not None
    if given and new.kind not in (Kind.DATASET, Kind.MODEL):
        raise InvalidInput("only datasets and models carry uri, digest and sizeBytes", field="uri")
    if new.uri is not None:
        locations.check_uri(new.uri)
    if new.digest is not None:
        locations.normalise_digest(new.digest)
    if new.size_bytes is not None:
        locations.check_size(new.size_bytes)


def _check_model(new: NewArtifact) -> None:
    if new.family is None:
        raise InvalidInput("a model needs a family", field="family")
    if len(new.architecture) > 300:
        raise InvalidInput("architecture is longer than 300 characters", field="architecture")
    if isinstance(new.parameter_count, bool) or not isinstance(new.parameter_count, int):
        raise InvalidInput("parameterCount must be an integer", field="parameterCount")
    if not 0 <= new.parameter_count < 2**63:
        raise InvalidInput("parameterCount must be between 0 and 2^63-1", field="parameterCount")
    score = new.raw_quality_score
    if score is None or not _is_number(score) or not 0.0 <= score <= 1.0:
        raise InvalidInput(
            f"rawQualityScore must be a number in [0, 1], got {score!r}", field="rawQualityScore"
        )
    _check_json(new.training_config, "trainingConfig")
    check_metrics(new.evaluation_metrics, new.metric_directions)


def parse_family(value: str) -> Family:
    """Turn a family name into the enum, or say which names exist."""
    try:
        return Family(value)
    except ValueError:
        names = ", ".join(f.value for f in Family)
        raise InvalidInput(
            f"unknown family {value!r}; expected one of {names}", field="family"
        ) from None
