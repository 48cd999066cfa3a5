"""The filter tree and its catalog: limits at their edges, normalizing, what a tree refuses
to hold, and the reference evaluator's two-valued answers. Pure, no database.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.domain import Family
from app.errors import InvalidInput
from app.search import fields as f
from app.search import values
from app.search.fields import Field, Kind, Op
from app.search.parse import MAX_LENGTH, parse
from app.search.render import render
from app.search.tree import (
    MAX_DEPTH,
    MAX_LEAVES,
    And,
    Leaf,
    Node,
    Not,
    Or,
    check_limits,
    depth,
    leaf,
    leaf_count,
    leaves,
    normalize,
)
from tests.filter_eval import (
    Record,
    Vocabulary,
    evaluate,
    leaf_named,
    random_record,
    random_tree,
)

L = leaf_named
RMSE_LT = L("metrics", Op.LT, 0.05, "rmse")
STATISTICAL = L("family", Op.EQ, Family.STATISTICAL)
NEURO = L("tags", Op.EQ, "neuro", "team")
ARCHIVED = L("archived", Op.EQ, True)


# Limits. Depth counts and/or/not levels of the normalized tree.
DEPTHS = [
    ("archived = true", 0),
    ("archived = true AND latest = true", 1),
    ("NOT (archived = true AND (latest = true OR family = 'statistical'))", 3),
    ("NOT (archived = true AND (latest = true OR NOT family = 'statistical'))", 4),
    ("(archived = true AND (latest = true AND (family = 'statistical')))", 1),
]


@pytest.mark.parametrize(("text", "levels"), DEPTHS)
def test_depth_counts_the_levels_of_the_normalized_tree(text: str, levels: int) -> None:
    tree = parse(text)
    assert tree is not None
    assert depth(tree) == levels


def test_five_levels_are_too_complex() -> None:
    text = (
        "NOT (archived = true AND (latest = true OR NOT (family = 'statistical' AND alias = 'a')))"
    )
    with pytest.raises(InvalidInput) as refused:
        parse(text)
    assert refused.value.code == "FILTER_TOO_COMPLEX"
    assert "at most 4 levels" in refused.value.message
    assert "nests 5" in refused.value.message


def _conditions(n: int) -> str:
    return " AND ".join(f"parameter_count > {i}" for i in range(n))


def test_twenty_conditions_pass_and_the_twenty_first_is_refused_where_it_starts() -> None:
    tree = parse(_conditions(MAX_LEAVES))
    assert tree is not None
    assert leaf_count(tree) == MAX_LEAVES
    text = _conditions(MAX_LEAVES + 1)
    with pytest.raises(InvalidInput) as refused:
        parse(text)
    assert refused.value.code == "FILTER_TOO_COMPLEX"
    assert refused.value.details == {"position": text.rindex("parameter_count")}


def test_a_filter_of_4000_characters_passes_and_one_more_is_too_complex() -> None:
    text = "archived = true".ljust(MAX_LENGTH)
    assert parse(text) == ARCHIVED
    with pytest.raises(InvalidInput) as refused:
        parse(text + " ")
    assert refused.value.code == "FILTER_TOO_COMPLEX"
    assert refused.value.details == {"position": MAX_LENGTH}


def _nest(levels: int) -> Node:
    node: Node = ARCHIVED
    for i in range(levels):
        node = Not(node) if i % 2 else Or((node, STATISTICAL))
    return node


def test_check_limits_judges_a_tree_built_elsewhere_on_its_normalized_form() -> None:
    assert depth(check_limits(_nest(MAX_DEPTH))) == MAX_DEPTH
    with pytest.raises(InvalidInput) as refused:
        check_limits(_nest(MAX_DEPTH + 1))
    assert refused.value.code == "FILTER_TOO_COMPLEX"
    # Groups of one child and double negations nest nothing once normalized.
    wrapped: Node = ARCHIVED
    for _ in range(10):
        wrapped = And((Or((Not(Not(wrapped)),)),))
    assert check_limits(wrapped) == ARCHIVED
    with pytest.raises(InvalidInput) as refused:
        check_limits(And(tuple([ARCHIVED] * (MAX_LEAVES + 1))))
    assert refused.value.code == "FILTER_TOO_COMPLEX"


def test_normalize_flattens_nested_groups_and_drops_one_child_groups() -> None:
    tree = And((And((ARCHIVED, Or((STATISTICAL,)))), Or((Or((NEURO, RMSE_LT)), ARCHIVED))))
    assert normalize(tree) == And((ARCHIVED, STATISTICAL, Or((NEURO, RMSE_LT, ARCHIVED))))
    assert normalize(Not(Not(Not(ARCHIVED)))) == Not(ARCHIVED)


# The tree refuses what no surface may build.
def test_a_group_needs_a_child_and_a_leaf_its_canonical_value() -> None:
    for bad in (
        lambda: And(()),
        lambda: Or(()),
        lambda: Leaf(Field(f.QUALITY_SCORE), Op.EQ, "0.5"),
        lambda: Leaf(Field(f.QUALITY_SCORE), Op.EQ, 1),
        lambda: Leaf(Field(f.CREATED_AT), Op.EQ, datetime(2026, 1, 1)),
        lambda: Leaf(
            Field(f.CREATED_AT), Op.EQ, datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1)))
        ),
        lambda: Leaf(Field(f.TEXT), Op.EQ, "x"),
        lambda: Leaf(Field(f.METRICS, "rmse"), Op.PRESENT, 1.0),
        lambda: Field(f.METRICS),
        lambda: Field(f.FAMILY, "x"),
        lambda: leaf(Field(f.FAMILY), Op.EQ, "neural"),
        lambda: leaf(Field(f.PARAMETER_COUNT), Op.EQ, True),
        lambda: leaf(Field(f.QUALITY_SCORE), Op.EQ, float("nan")),
    ):
        with pytest.raises(InvalidInput) as refused:
            bad()
        assert refused.value.code == "BAD_FILTER"


def test_leaf_reads_what_graphql_hands_it_into_the_canonical_value() -> None:
    offset = timezone(timedelta(hours=-5))
    assert leaf(Field(f.QUALITY_SCORE), Op.GT, 1).value == 1.0
    assert leaf(Field(f.PARAMETER_COUNT), Op.GT, Decimal("1e3")).value == 1000
    moment = leaf(Field(f.CREATED_AT), Op.GT, datetime(2026, 1, 1, 19, tzinfo=offset)).value
    assert moment == datetime(2026, 1, 2, 0, tzinfo=UTC)
    assert isinstance(moment, datetime)
    assert moment.tzinfo is UTC
    assert leaf(Field(f.FAMILY), Op.EQ, Family.BIOPHYSICAL).value is Family.BIOPHYSICAL


# The catalog: one entry per leaf, every surface's names from it.
def test_the_catalog_declares_each_leaf_once_with_both_names_and_a_description() -> None:
    names = [n for spec in f.CATALOG for n in (spec.name, *spec.synonyms)]
    assert len(names) == len(set(names))
    graphql = [spec.graphql for spec in f.CATALOG]
    assert len(graphql) == len(set(graphql))
    for spec in f.CATALOG:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", spec.name), spec
        assert re.fullmatch(r"[a-z]+([A-Z][a-z]+)*", spec.graphql), spec
        assert spec.description and "\n" not in spec.description, spec
        assert spec.ops and len(set(spec.ops)) == len(spec.ops), spec
        assert (Op.PRESENT in spec.ops) == (spec.param is not None), spec
        assert (spec.max_length > 0) == (spec.kind is Kind.TEXT), spec
    assert set(values.EXPECTED) == set(Kind)
    assert {s.name for s in f.CATALOG} >= {
        "family", "architecture", "quality_score", "parameter_count", "created_at", "metrics",
        "tags", "alias", "provenance_complete", "warning", "trained_on", "produced_by",
        "tests_hypothesis", "derived_from", "latest", "archived", "text", "title",
    }  # fmt: skip


# The reference evaluator: two-valued.
MODEL = Record(
    "m-v1",
    family="statistical",
    architecture="GLM-large",
    quality_score=0.8,
    parameter_count=1200,
    created_at=datetime(2026, 3, 1, tzinfo=UTC),
    metrics={"rmse": 0.04, "val loss": 1.5},
    tags={"team": "neuro", "split": ""},
    aliases=frozenset({"production"}),
    trained_on=frozenset({"dataset-a-v2", "dataset-a"}),
    produced_by=frozenset({"analysis-a-v1", "analysis-a"}),
    is_latest=True,
    title="A spiking Model",
    description="fits İstanbul data",
)
FLAWED = Record("n-v3", warnings=frozenset({"UNPINNED_INPUTS"}), is_latest=False, archived=True)

EVALUATIONS = [
    ("metrics.rmse < 0.05", True, False),
    # A comparison on a metric the model lacks is false, and its NOT is true.
    ("metrics.auc > 0.5", False, False),
    ("NOT metrics.auc > 0.5", True, True),
    ("metrics.auc != 0.5", True, True),
    ("metrics.auc IS NULL", True, True),
    ("metrics.rmse IS NOT NULL", True, False),
    ("metrics.`val loss` >= 1.5", True, False),
    ("tags.team = 'neuro'", True, False),
    ("tags.team != 'neuro'", False, True),
    ("tags.split IS NOT NULL", True, False),
    ("tags.split = ''", True, False),
    ("family = 'statistical' AND quality_score > 0.5", True, False),
    ("parameter_count <= 1200 AND created_at >= '2026-03-01'", True, False),
    ("created_at < '2026-03-01T00:00:00+01:00'", False, True),
    ("architecture = 'glm-large'", False, False),
    ("architecture CONTAINS 'glm'", True, False),
    ("alias = 'production'", True, False),
    ("provenance_complete = true", True, False),
    ("warning = 'UNPINNED_INPUTS'", False, True),
    ("trained_on = 'dataset-a'", True, False),
    ("trained_on = 'dataset-a-v1'", False, False),
    ("produced_by = 'analysis-a-v1'", True, False),
    ("tests_hypothesis = 'h'", False, False),
    ("latest = true", True, False),
    ("archived = true", False, True),
    ("title CONTAINS 'SPIKING'", True, False),
    ("title CONTAINS 'neuro'", False, False),
    ("text CONTAINS 'NEURO'", True, False),
    ("text CONTAINS 'team'", True, False),
    ("text CONTAINS 'istanbul'", False, False),
    ("text CONTAINS 'İstanbul'", True, False),
    ("(family = 'biophysical' AND metrics.rmse < 0.1) OR NOT archived = false", False, True),
]


@pytest.mark.parametrize(("text", "model", "flawed"), EVALUATIONS, ids=[e[0] for e in EVALUATIONS])
def test_the_reference_evaluator_answers_two_valued(text: str, model: bool, flawed: bool) -> None:
    tree = parse(text)
    assert tree is not None
    assert (evaluate(tree, MODEL), evaluate(tree, FLAWED)) == (model, flawed)


def test_latest_means_the_newest_version_and_not_archived() -> None:
    latest = parse("latest = true")
    assert latest is not None
    assert evaluate(latest, Record("a-v2", is_latest=True))
    assert not evaluate(latest, Record("a-v2", is_latest=True, archived=True))
    assert not evaluate(latest, Record("a-v1", is_latest=False))


def test_random_trees_are_valid_varied_and_seeded() -> None:
    vocabulary = Vocabulary()
    specs: set[f.FieldSpec] = set()
    depths = set()
    for seed in range(400):
        tree = random_tree(random.Random(seed), vocabulary)
        assert check_limits(tree) == tree
        assert parse(render(tree)) == tree
        assert random_tree(random.Random(seed), vocabulary) == tree
        depths.add(depth(tree))
        specs.update(node.field.spec for node in leaves(tree))
    assert specs == set(f.CATALOG)
    assert depths == set(range(MAX_DEPTH + 1))


def test_normalizing_and_rendering_change_no_answer() -> None:
    rng = random.Random(16)
    records = [random_record(rng, n=i) for i in range(40)]
    kept = []
    for _ in range(300):
        tree = random_tree(rng)
        # A tree that is not normalized, as a GraphQL input may nest it.
        small = leaf_count(tree) <= MAX_LEAVES // 2 and depth(tree) < MAX_DEPTH
        twice = And((Or((tree,)), tree)) if small else tree
        nested = Not(Not(Or((And((twice,)),))))
        text = parse(render(nested))
        assert text is not None
        for record in records:
            answer = evaluate(tree, record)
            assert evaluate(nested, record) == answer
            assert evaluate(normalize(nested), record) == answer
            assert evaluate(text, record) == answer
            assert evaluate(Not(tree), record) != answer
        kept.append(sum(evaluate(tree, r) for r in records))
    # The generator makes trees that keep some models and drop others, not only all or none.
    assert sum(0 < k < len(records) for k in kept) > len(kept) // 4
