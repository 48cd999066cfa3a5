"""The comparison rules, table-driven, on domain values without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import comparison, overlap
from app.comparison import Verdict
from app.domain import Artifact, Family, Kind, ModelFields, ProvenanceWarning, WarningCode
from app.errors import InvalidInput
from app.metric_values import Interval
from app.overlap import Dag, DagEdge, Sharing

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
        warnings=kw.get("warnings", ()),
        intervals=kw.get("intervals", {}),
    )
    return Artifact(mid, mid.rsplit("-v", 1)[0], Kind.MODEL, 1, True, mid, "", {}, T0, fields)


def dataset(did: str, digest: str | None = None) -> Artifact:
    lineage, _, n = did.rpartition("-v")
    return Artifact(did, lineage, Kind.DATASET, int(n), True, did, "", {}, T0, digest=digest)


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
        "the registry's declaration wins over the name",
        [{"loss_reduction": 0.1}, {"loss_reduction": 0.3}],
        {"loss_reduction": "higher"},
        {"loss_reduction": ("higher", ["b-v1"], [0.0, 0.2])},
    ),
    (
        "missing values are null, never 0, and have no delta; one value names no best",
        [{"acc": 0.8}, {"f1": 0.5}],
        {},
        {"acc": ("higher", [], [0.0, None]), "f1": ("higher", [], [None, None])},
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
    models = [model("a-v1", metrics[0]), model("b-v1", metrics[1])]
    rows = {r.name: r for r in rows_of(models, declared=directions)}
    assert set(rows) == set(expected)
    for name, (better, best, deltas) in expected.items():
        row = rows[name]
        assert row.better == better
        assert list(row.best_model_ids) == best
        assert [c.best for c in row.cells] == [c.model_id in best for c in row.cells]
        # exact: no rounding needed, 0.9 - 0.8 is 0.1
        assert [c.delta for c in row.cells] == deltas
    if "f1" in rows:
        assert rows["f1"].cells[0].value is None
        assert rows["f1"].verdict is Verdict.TOO_FEW_VALUES
        assert rows["f1"].leader_model_ids == ("b-v1",)
        assert rows["f1"].reported_count == 1


def rows_of(
    models: list[Artifact], baseline: int = 0, declared: dict[str, str] | None = None
) -> list[comparison.MetricRow]:
    """The rows, with ``declared`` as the registry's declarations (name to direction)."""
    compared = [comparison.compared(m, declared or {}) for m in models]
    return comparison.metric_rows(compared, baseline)


def test_a_models_own_direction_decides_nothing():
    # Each model says loss_reduction is higher-is-better; nobody declared it: the name decides.
    own = {"loss_reduction": "higher"}
    models = [
        model("a-v1", {"loss_reduction": 0.1}, own),
        model("b-v1", {"loss_reduction": 0.3}, own),
    ]
    (row,) = rows_of(models)
    assert (row.better, row.best_model_ids) == ("lower", ("a-v1",))
    (declared,) = rows_of(models, declared={"loss_reduction": "higher"})
    assert (declared.better, declared.best_model_ids) == ("higher", ("b-v1",))


def test_deltas_are_exact_and_relative_to_the_chosen_baseline():
    models = [model("a-v1", {"auc": 0.823}), model("b-v1", {"auc": 0.854, "z": 0})]
    (auc, z) = rows_of(models, baseline=1)
    assert [c.delta for c in auc.cells] == [-0.031, 0.0]
    assert [c.relative_delta for c in auc.cells] == [-3.62998, 0.0]
    assert [c.baseline for c in auc.cells] == [False, True]
    # the baseline's value is 0: no relative delta; a model without the metric: no delta
    assert [(c.delta, c.relative_delta) for c in z.cells] == [(None, None), (0.0, None)]
    (first, _) = rows_of(models)
    assert [c.delta for c in first.cells] == [0.0, 0.031]


def test_a_best_value_within_another_models_interval_is_not_named_best():
    a = model("a-v1", {"rmse": 0.023}, intervals={"rmse": Interval(0.019, 0.027, 0.002)})
    b = model("b-v1", {"rmse": 0.025})
    c = model("c-v1", {"rmse": 0.04}, intervals={"rmse": Interval(0.035, 0.045)})
    (row,) = rows_of([a, b, c])
    assert row.verdict is Verdict.WITHIN_UNCERTAINTY
    assert row.best_model_ids == ()
    assert row.leader_model_ids == ("a-v1",)
    assert row.overlapping_model_ids == ("a-v1", "b-v1")
    assert [x.within_uncertainty for x in row.cells] == [True, True, False]
    assert not any(x.best for x in row.cells)
    assert row.cells[0].interval == Interval(0.019, 0.027, 0.002)


def test_a_best_value_clear_of_every_interval_is_best():
    a = model("a-v1", {"auc": 0.95}, intervals={"auc": Interval(0.94, 0.96)})
    b = model("b-v1", {"auc": 0.90}, intervals={"auc": Interval(0.88, 0.93)})
    (row,) = rows_of([a, b])
    assert (row.verdict, row.best_model_ids, row.overlapping_model_ids) == (
        Verdict.BEST,
        ("a-v1",),
        (),
    )


def test_a_capped_model_is_marked_on_every_cell():
    warning = ProvenanceWarning(WarningCode.MISSING_TRAINING_DATA, "no training data")
    rows = rows_of([model("a-v1", {"auc": 0.9}, warnings=(warning,)), model("b-v1", {"auc": 0.8})])
    assert [c.capped for c in rows[0].cells] == [True, False]
    assert rows[0].best_model_ids == ("a-v1",)


def test_the_baseline_is_named_by_version_or_lineage_among_the_compared():
    models = [comparison.compared(model(i), {}) for i in ("a-v1", "b-v2", "c-v1")]
    assert comparison.baseline_index(models, None) == 0
    assert comparison.baseline_index(models, "b-v2") == 1
    assert comparison.baseline_index(models, "c") == 2
    with pytest.raises(InvalidInput, match="baseline 'd-v1' is not one of the compared"):
        comparison.baseline_index(models, "d-v1")


def test_diff_cells_say_whether_they_differ_from_the_baseline():
    models = [model("a-v1", parameter_count=5), model("b-v1"), model("c-v1", parameter_count=5)]
    rows = {r.key: r for r in comparison.metadata_rows(models, baseline=1)}
    assert rows["parameter_count"].differs_from_baseline == (True, False, True)
    assert rows["family"].differs_from_baseline == (False, False, False)


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
        (["d-v1"], [], {}, {"a": [], "b": []}),
    ),
    (
        "same lineage at different versions",
        {"a": ["d-v1"], "b": ["d-v2"]},
        ([], [], {"d": [("a", "d-v1"), ("b", "d-v2")]}, {"a": [], "b": []}),
    ),
    (
        "unique to each",
        {"a": ["x-v1", "d-v1"], "b": ["y-v3", "d-v1"]},
        (["d-v1"], [], {}, {"a": ["x-v1"], "b": ["y-v3"]}),
    ),
    (
        "three models, two versions",
        {"a": ["d-v1"], "b": ["d-v1"], "c": ["d-v2", "z-v1"]},
        (
            [],
            [],
            {"d": [("a", "d-v1"), ("b", "d-v1"), ("c", "d-v2")]},
            {"a": [], "b": [], "c": ["z-v1"]},
        ),
    ),
    (
        "shared by a subset",
        {"a": ["ld-v1", "g-v1"], "b": ["ld-v1"], "c": ["ld-v1"], "d": ["m-v1"], "e": ["m-v1"]},
        (
            [],
            [("ld-v1", ("a", "b", "c")), ("m-v1", ("d", "e"))],
            {},
            {"a": ["g-v1"], "b": [], "c": [], "d": [], "e": []},
        ),
    ),
]


@pytest.mark.parametrize(
    ("trained", "expected"), [c[1:] for c in OVERLAP_CASES], ids=[c[0] for c in OVERLAP_CASES]
)
def test_training_data_overlap(trained, expected):
    result = overlap.data_overlap({m: [dataset(d) for d in ds] for m, ds in trained.items()})
    shared, some, splits, unique = expected
    assert list(result.shared) == shared
    assert [(s.id, s.model_ids) for s in result.shared_by_some] == some
    assert {k: list(v) for k, v in result.version_splits.items()} == splits
    assert {k: list(v) for k, v in result.unique.items()} == unique
    # every trained-on version appears once, in exactly one group
    every = {d for ds in trained.values() for d in ds}
    assert sorted(s.id for s in result.datasets) == sorted(every)
    grouped = (
        list(result.shared)
        + [s.id for s in result.shared_by_some]
        + sorted({d for uses in result.version_splits.values() for _, d in uses})
        + [d for ds in result.unique.values() for d in ds]
    )
    assert sorted(grouped) == sorted(every)


def test_pairwise_similarity_over_versions_and_lineages():
    result = overlap.data_overlap(
        {
            "a": [dataset("d-v1"), dataset("x-v1")],
            "b": [dataset("d-v2"), dataset("x-v1")],
            "c": [],
        }
    )
    pairs = {s.model_ids: s for s in result.similarity}
    assert list(pairs) == [("a", "b"), ("a", "c"), ("b", "c")]
    ab = pairs[("a", "b")]
    assert (ab.versions.shared, ab.versions.union, ab.versions.value) == (1, 3, 1 / 3)
    assert (ab.lineages.shared, ab.lineages.union, ab.lineages.value) == (2, 2, 1.0)
    assert pairs[("a", "c")].versions.value == 0.0
    empty = overlap.data_overlap({"a": [], "b": []}).similarity[0]
    assert (empty.versions.union, empty.versions.value) == (0, None)


SHA = "sha256:" + "ab" * 32


def test_versions_with_the_same_strong_digest_count_as_one_and_are_reported():
    result = overlap.data_overlap(
        {
            "a": [dataset("d-v1", SHA), dataset("x-v1")],
            "b": [dataset("d-v2", SHA), dataset("x-v1")],
            "c": [dataset("e-v1", SHA)],
        }
    )
    pairs = {s.model_ids: s for s in result.similarity}
    ab = pairs[("a", "b")]
    assert (ab.versions.shared, ab.versions.union) == (2, 2)
    assert (ab.lineages.shared, ab.lineages.union) == (2, 2)
    assert (pairs[("a", "c")].versions.shared, pairs[("a", "c")].versions.union) == (1, 2)
    assert pairs[("a", "c")].lineages.shared == 0
    assert result.same_content == (overlap.SameContent(("d-v1", "d-v2", "e-v1"), ("a", "b", "c")),)
    # every existing group keeps its meaning: by version id
    assert set(result.version_splits) == {"d"}
    assert result.unique["c"] == ("e-v1",)


def test_weak_or_different_digests_are_never_the_same_content():
    weak = "mlflow:1a2b3c4d"
    result = overlap.data_overlap(
        {
            "a": [dataset("d-v1", weak), dataset("y-v1", SHA)],
            "b": [dataset("d-v2", weak), dataset("z-v1", "sha256:" + "cd" * 32)],
        }
    )
    assert result.same_content == ()
    (ab,) = result.similarity
    assert (ab.versions.shared, ab.versions.union) == (0, 4)


def test_one_version_on_its_own_is_no_same_content_group():
    result = overlap.data_overlap({"a": [dataset("d-v1", SHA)], "b": [dataset("d-v1", SHA)]})
    assert result.same_content == ()
    assert result.shared == ("d-v1",)


def dags() -> list[Dag]:
    e = DagEdge("a", "d-v1", "trained_on", True)
    return [
        Dag("a", ("a", "d-v1", "an-v1"), (e, DagEdge("a", "an-v1", "produced_by", False))),
        Dag("b", ("b", "d-v1", "h-v1"), (DagEdge("b", "d-v1", "trained_on", True),)),
        Dag("c", ("c", "d-v1", "h-v1", "a"), (DagEdge("c", "a", "derived_from", True),)),
    ]


def test_ancestors_shared_by_all_by_some_and_unique():
    shares = overlap.ancestors(dags())
    assert [(s.id, s.model_ids, s.sharing) for s in shares] == [
        ("a", ("c",), Sharing.ONE),
        ("an-v1", ("a",), Sharing.ONE),
        ("d-v1", ("a", "b", "c"), Sharing.ALL),
        ("h-v1", ("b", "c"), Sharing.SOME),
    ]
    shared, unique = overlap.ancestor_sets(shares, ["a", "b", "c"])
    assert shared == ["d-v1"]
    assert unique == {"a": ["an-v1"], "b": [], "c": ["a"]}


def test_the_merged_graph_holds_every_node_and_edge_once():
    merged = overlap.merged(dags())
    assert [(n.id, n.compared, n.model_ids, n.sharing) for n in merged.nodes] == [
        ("a", True, ("a", "c"), Sharing.SOME),
        ("b", True, ("b",), Sharing.ONE),
        ("c", True, ("c",), Sharing.ONE),
        ("d-v1", False, ("a", "b", "c"), Sharing.ALL),
        ("an-v1", False, ("a",), Sharing.ONE),
        ("h-v1", False, ("b", "c"), Sharing.SOME),
    ]
    assert [(e.source, e.target, e.model_ids) for e in merged.edges] == [
        ("a", "d-v1", ("a",)),
        ("a", "an-v1", ("a",)),
        ("b", "d-v1", ("b",)),
        ("c", "a", ("c",)),
    ]


def test_flatten_keeps_lists_and_empty_objects_as_values():
    assert comparison.flatten({"a": {"b": [1, 2], "c": {}}, "d": 1}) == {
        "a.b": [1, 2],
        "a.c": {},
        "d": 1,
    }
