"""The comparison rules, table-driven, on domain values without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import comparison
from app.comparison import Dag, DagEdge
from app.domain import Artifact, Family, Kind, ModelFields

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def model(
    mid: str,
    metrics: dict | None = None,
    directions: dict | None = None,
    config: dict | None = None,
    **kw,
) -> Artifact:
    fields = ModelFields(
        family=kw.get("family", Family.STATISTICAL),
        architecture=kw.get("architecture", "glm"),
        parameter_count=kw.get("parameter_count", 10),
        training_config=config or {},
        evaluation_metrics=metrics or {},
        metric_directions=directions or {},
        raw_quality_score=kw.get("raw", 0.8),
        quality_score=kw.get("score", 0.8),
        warnings=(),
    )
    return Artifact(mid, mid.rsplit("-v", 1)[0], Kind.MODEL, 1, True, mid, "", {}, T0, fields)


def dataset(did: str) -> Artifact:
    lineage, _, n = did.rpartition("-v")
    return Artifact(did, lineage, Kind.DATASET, int(n), True, did, "", {}, T0)


METRIC_CASES = [
    (
        "higher is better by default",
        [{"acc": 0.8}, {"acc": 0.9}],
        {},
        {"acc": ("higher", ["b-v1"], [0.0, 0.1])},
    ),
    (
        "error-like names are lower-is-better",
        [{"rmse": 0.2, "val_loss": 1.0, "aic": -10}, {"rmse": 0.1, "val_loss": 2.0, "aic": -20}],
        {},
        {
            "rmse": ("lower", ["b-v1"], [0.0, -0.1]),
            "val_loss": ("lower", ["a-v1"], [0.0, 1.0]),
            "aic": ("lower", ["b-v1"], [0.0, -10.0]),
        },
    ),
    (
        "declared direction wins over the name",
        [{"loss_reduction": 0.1}, {"loss_reduction": 0.3}],
        {"loss_reduction": "higher"},
        {"loss_reduction": ("higher", ["b-v1"], [0.0, 0.2])},
    ),
    (
        "missing values are null, never 0, and have no delta",
        [{"acc": 0.8}, {"f1": 0.5}],
        {},
        {"acc": ("higher", ["a-v1"], [0.0, None]), "f1": ("higher", ["b-v1"], [None, None])},
    ),
    (
        "ties are all best",
        [{"acc": 0.9}, {"acc": 0.9}],
        {},
        {"acc": ("higher", ["a-v1", "b-v1"], [0.0, 0.0])},
    ),
]


@pytest.mark.parametrize(
    ("metrics", "directions", "expected"),
    [c[1:] for c in METRIC_CASES],
    ids=[c[0] for c in METRIC_CASES],
)
def test_metric_rows(metrics, directions, expected):
    models = [
        model("a-v1", metrics[0], directions),
        model("b-v1", metrics[1]),
    ]
    rows = {r.name: r for r in comparison.metric_rows(models)}
    assert set(rows) == set(expected)
    for name, (better, best, deltas) in expected.items():
        row = rows[name]
        assert row.better == better
        assert list(row.best_model_ids) == best
        got = [None if c.delta is None else round(c.delta, 9) for c in row.cells]
        assert got == deltas
    if "f1" in rows:
        assert rows["f1"].cells[0].value is None


def test_metadata_rows_flag_only_what_differs():
    rows = {
        r.key: r
        for r in comparison.metadata_rows(
            [model("a-v1", parameter_count=5), model("b-v1", parameter_count=7)]
        )
    }
    assert rows["parameter_count"].differs and rows["parameter_count"].values == (5, 7)
    assert not rows["family"].differs and not rows["architecture"].differs
    assert set(rows) == {
        "family",
        "architecture",
        "parameter_count",
        "version_number",
        "created_at",
        "raw_quality_score",
        "quality_score",
    }


def test_config_rows_flatten_nested_keys_and_mark_missing():
    a = model("a-v1", config={"optimizer": {"name": "adam", "lr": 0.001}, "epochs": 10})
    b = model("b-v1", config={"optimizer": {"name": "adam", "lr": 0.01}, "dropout": 0.1})
    rows = {r.key: r for r in comparison.config_rows([a, b])}
    assert list(rows) == ["dropout", "epochs", "optimizer.lr", "optimizer.name"]
    assert rows["optimizer.name"].differs is False
    assert rows["optimizer.lr"].differs is True
    assert rows["epochs"].present == (True, False) and rows["epochs"].differs
    assert rows["dropout"].present == (False, True)


def test_missing_key_differs_from_an_explicit_null():
    rows = comparison.config_rows([model("a-v1", config={"k": None}), model("b-v1", config={})])
    assert rows[0].differs


OVERLAP_CASES = [
    (
        "shared at the same version",
        {"a": ["d-v1"], "b": ["d-v1"]},
        (["d-v1"], {}, {"a": [], "b": []}),
    ),
    (
        "same lineage at different versions",
        {"a": ["d-v1"], "b": ["d-v2"]},
        ([], {"d": [("a", "d-v1"), ("b", "d-v2")]}, {"a": [], "b": []}),
    ),
    (
        "unique to each",
        {"a": ["x-v1", "d-v1"], "b": ["y-v3", "d-v1"]},
        (["d-v1"], {}, {"a": ["x-v1"], "b": ["y-v3"]}),
    ),
    (
        "three models, two versions",
        {"a": ["d-v1"], "b": ["d-v1"], "c": ["d-v2", "z-v1"]},
        (
            [],
            {"d": [("a", "d-v1"), ("b", "d-v1"), ("c", "d-v2")]},
            {"a": [], "b": [], "c": ["z-v1"]},
        ),
    ),
]


@pytest.mark.parametrize(
    ("trained", "expected"), [c[1:] for c in OVERLAP_CASES], ids=[c[0] for c in OVERLAP_CASES]
)
def test_training_data_overlap(trained, expected):
    result = comparison.data_overlap({m: [dataset(d) for d in ds] for m, ds in trained.items()})
    shared, splits, unique = expected
    assert list(result.shared) == shared
    assert {k: list(v) for k, v in result.version_splits.items()} == splits
    assert {k: list(v) for k, v in result.unique.items()} == unique


def test_shared_and_unique_ancestors():
    e = DagEdge("m", "x", "trained_on", True)
    dags = [Dag("a", ("a", "d-v1", "an-v1"), (e,)), Dag("b", ("b", "d-v1", "h-v1"), (e,))]
    shared, unique = comparison.ancestor_sets(dags)
    assert shared == ["d-v1"]
    assert unique == {"a": ["an-v1"], "b": ["h-v1"]}


def test_flatten_keeps_lists_and_empty_objects_as_values():
    assert comparison.flatten({"a": {"b": [1, 2], "c": {}}, "d": 1}) == {
        "a.b": [1, 2],
        "a.c": {},
        "d": 1,
    }
