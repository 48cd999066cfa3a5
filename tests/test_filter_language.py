"""The filter tree, its field catalog and the REST filter language: pure, no database.

Table-driven: texts and the trees they parse to, texts and the error (code and position)
they get, the limits at their edges, the reference evaluator on chosen records. Hypothesis
checks that any text either parses or is refused with InvalidInput, and that every tree
renders to a text that parses back to it.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import errors, ids, tags
from app.domain import Family, WarningCode
from app.errors import InvalidInput
from app.http import responses
from app.search import fields as f
from app.search import values
from app.search.fields import Field, Kind, Op
from app.search.parse import MAX_LENGTH, MAX_NESTING, parse
from app.search.render import fingerprint, render
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
    normalize,
)
from tests.filter_eval import Record, Vocabulary, evaluate, random_tree

PROPERTY = settings(max_examples=400, deadline=None, database=None, derandomize=True)


def L(name: str, op: Op, value: object = None, param: str | None = None) -> Leaf:
    spec = f.spec_named(name)
    assert spec is not None
    return leaf(Field(spec, param), op, value)


RMSE_LT = L("metrics", Op.LT, 0.05, "rmse")
STATISTICAL = L("family", Op.EQ, Family.STATISTICAL)
NEURO = L("tags", Op.EQ, "neuro", "team")
ARCHIVED = L("archived", Op.EQ, True)

PARSES: list[tuple[str, Node]] = [
    (
        "metrics.rmse < 0.05 AND family = 'statistical' AND tags.team = 'neuro'",
        And((RMSE_LT, STATISTICAL, NEURO)),
    ),
    (
        "(family = 'biophysical' AND metrics.rmse < 0.1) OR "
        "(family = 'statistical' AND tags.team = 'x')",
        Or(
            (
                And((L("family", Op.EQ, "biophysical"), L("metrics", Op.LT, 0.1, "rmse"))),
                And((STATISTICAL, L("tags", Op.EQ, "x", "team"))),
            )
        ),
    ),
    ("NOT archived = true", Not(ARCHIVED)),
    ("text CONTAINS 'spiking'", L("text", Op.CONTAINS, "spiking")),
    ("metrics.auc IS NOT NULL", L("metrics", Op.PRESENT, None, "auc")),
    ("metrics.auc IS NULL", Not(L("metrics", Op.PRESENT, None, "auc"))),
    ("quality_score >= 0.5", L("quality_score", Op.GTE, 0.5)),
    # Precedence: NOT over AND over OR, parentheses over all.
    (
        "archived = true OR family = 'statistical' AND NOT metrics.rmse < 0.05",
        Or((ARCHIVED, And((STATISTICAL, Not(RMSE_LT))))),
    ),
    (
        "(archived = true OR family = 'statistical') AND metrics.rmse < 0.05",
        And((Or((ARCHIVED, STATISTICAL)), RMSE_LT)),
    ),
    # Keywords in any case; field names only lower snake; synonyms; no spaces needed.
    ("metric.rmse<0.05 and tag.team='neuro'", And((RMSE_LT, NEURO))),
    ("not archived = TRUE", Not(ARCHIVED)),
    ("family != 'statistical'", Not(STATISTICAL)),
    ("NOT family != 'statistical'", STATISTICAL),
    ("((metrics.rmse < 0.05))", RMSE_LT),
    (
        "(metrics.rmse < 0.05 AND (family = 'statistical' AND tags.team = 'neuro'))",
        And((RMSE_LT, STATISTICAL, NEURO)),
    ),
    # Quoting: metric names in backticks, quotes doubled, backslashes literal.
    ("metrics.`val loss` <= 1", L("metrics", Op.LTE, 1.0, "val loss")),
    ("metrics.`a``b.c-d` > 0", L("metrics", Op.GT, 0.0, "a`b.c-d")),
    ('metrics."val loss" <= 1', L("metrics", Op.LTE, 1.0, "val loss")),
    ('metric."say ""x""" > 1', L("metrics", Op.GT, 1.0, 'say "x"')),
    ("tags.data.split/holdout = 'it''s'", L("tags", Op.EQ, "it's", "data.split/holdout")),
    ('title CONTAINS "say ""hi"""', L("title", Op.CONTAINS, 'say "hi"')),
    ("architecture = 'C:\\net\\'", L("architecture", Op.EQ, "C:\\net\\")),
    ("tags.team = ''", L("tags", Op.EQ, "", "team")),
    # Numbers: integer, decimal, exponent, leading minus, leading dot.
    ("metrics.d > -2.5E+2", L("metrics", Op.GT, -250.0, "d")),
    ("metrics.d > .5", L("metrics", Op.GT, 0.5, "d")),
    ("metrics.d = 1e-3", L("metrics", Op.EQ, 0.001, "d")),
    ("parameter_count >= 1000000", L("parameter_count", Op.GTE, 1_000_000)),
    ("parameter_count < 2e6", L("parameter_count", Op.LT, 2_000_000)),
    ("parameter_count = 9223372036854775807", L("parameter_count", Op.EQ, 2**63 - 1)),
    # Date-times: with a zone, converted to UTC; without, taken as UTC.
    ("created_at > '2026-03-01'", L("created_at", Op.GT, datetime(2026, 3, 1, tzinfo=UTC))),
    (
        "created_at <= '2026-03-01T12:30:00+02:00'",
        L("created_at", Op.LTE, datetime(2026, 3, 1, 10, 30, tzinfo=UTC)),
    ),
    (
        "created_at < '2026-03-01T00:00:00Z'",
        L("created_at", Op.LT, datetime(2026, 3, 1, tzinfo=UTC)),
    ),
    ("alias = 'production'", L("alias", Op.EQ, "production")),
    ("provenance_complete = false", L("provenance_complete", Op.EQ, False)),
    ("warning = 'UNPINNED_INPUTS'", L("warning", Op.EQ, WarningCode.UNPINNED_INPUTS)),
    ("trained_on = 'dataset-x'", L("trained_on", Op.EQ, "dataset-x")),
    ("produced_by = 'analysis-x-v2'", L("produced_by", Op.EQ, "analysis-x-v2")),
    ("tests_hypothesis = 'hyp@champion'", L("tests_hypothesis", Op.EQ, "hyp@champion")),
    ("derived_from = 'model-a'", L("derived_from", Op.EQ, "model-a")),
    ("latest = true", L("latest", Op.EQ, True)),
    ("architecture CONTAINS 'LIF'", L("architecture", Op.CONTAINS, "LIF")),
    ("tags.team IS NOT NULL", L("tags", Op.PRESENT, None, "team")),
]


@pytest.mark.parametrize(("text", "tree"), PARSES, ids=[t for t, _ in PARSES])
def test_a_filter_text_parses_to_its_tree(text: str, tree: Node) -> None:
    assert parse(text) == tree
    assert parse(render(tree)) == tree


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\xa0\u2003"])
def test_blank_text_is_no_filter(text: str) -> None:
    assert parse(text) is None


ERRORS: list[tuple[str, str, int, str]] = [
    ("metrics.rmse < ", "BAD_FILTER", 15, "expected a value after '<'"),
    ("metrics.rmse < AND", "BAD_FILTER", 15, "expected a value after '<', found 'AND'"),
    (
        "metricz.rmse = 1",
        "BAD_FILTER",
        0,
        "unknown field 'metricz.rmse' at 0 (did you mean 'metrics.rmse'?)",
    ),
    ("archived = true AND Family = 'x'", "BAD_FILTER", 20, "unknown field 'Family'"),
    ("title CONTAINS 'x", "BAD_FILTER", 15, "unterminated string at 15"),
    ("metrics.`val loss < 1", "BAD_FILTER", 8, "unterminated name"),
    ("family = 'Statistical'", "BAD_FILTER", 9, "'family' takes a quoted family"),
    (
        "family = statistical",
        "BAD_FILTER",
        9,
        "found 'statistical' at 9 (text is quoted: 'statistical')",
    ),
    ("family < 'statistical'", "BAD_FILTER", 7, "'family' takes =, not '<'"),
    ("text = 'spiking'", "BAD_FILTER", 5, "'text' takes CONTAINS, not '='"),
    ("title != 'x'", "BAD_FILTER", 6, "takes CONTAINS, not '!='"),
    ("family IS NULL", "BAD_FILTER", 7, "not 'IS NULL'"),
    ("quality_score CONTAINS 'x'", "BAD_FILTER", 14, "not 'CONTAINS'"),
    ("quality_score > 'high'", "BAD_FILTER", 16, "takes a number; got 'high'"),
    ("quality_score > true", "BAD_FILTER", 16, "takes a number; got true"),
    ("quality_score < 1e999", "BAD_FILTER", 16, "beyond the range of a double"),
    ("parameter_count = 1.5", "BAD_FILTER", 18, "takes an integer"),
    ("parameter_count > 1e30", "BAD_FILTER", 18, "not an integer within"),
    ("created_at > 2026", "BAD_FILTER", 13, "takes a quoted ISO-8601 date-time"),
    ("created_at > 'yesterday'", "BAD_FILTER", 13, "got 'yesterday'"),
    ("created_at > '0001-01-01T00:00:00+05:00'", "BAD_FILTER", 13, "outside the years"),
    ("archived = 'true'", "BAD_FILTER", 11, "takes true or false"),
    ("warning = 'unpinned_inputs'", "BAD_FILTER", 10, "takes a quoted warning code"),
    ("trained_on = 'not a ref'", "BAD_FILTER", 13, "version id, lineage id or lineage@alias"),
    ("trained_on = 'data-v2@prod'", "BAD_FILTER", 13, "version id, lineage id"),
    ("alias = 'Prod'", "BAD_FILTER", 8, "alias name"),
    ("alias = 'latest'", "BAD_FILTER", 8, "reserved name"),
    ("tags.Team = 'x'", "BAD_FILTER", 0, "tag key 'Team'"),
    ("tags.team- = 'x'", "BAD_FILTER", 0, "tag key 'team-'"),
    ("tags = 'x'", "BAD_FILTER", 0, "needs a tag key"),
    ("family.x = 'statistical'", "BAD_FILTER", 0, "takes no parameter"),
    ("metrics. < 1", "BAD_FILTER", 8, "expected a name after 'metrics.'"),
    ("metrics.val-loss < 1", "BAD_FILTER", 0, "needs backticks: metrics.`val-loss`"),
    ("metrics.`` < 1", "BAD_FILTER", 0, "1 to 100 characters"),
    (f"metrics.`{'m' * 101}` < 1", "BAD_FILTER", 0, "this one has 101"),
    ("tags.team = '" + "v" * 257 + "'", "BAD_FILTER", 12, "at most 256 characters"),
    ("title CONTAINS 'a\x00b'", "BAD_FILTER", 15, "NUL"),
    ("title CONTAINS '\ud800'", "BAD_FILTER", 15, "unpaired surrogates"),
    ("archived = true archived = false", "BAD_FILTER", 16, "expected AND, OR or the end"),
    ("(archived = true", "BAD_FILTER", 16, "expected AND, OR or ')'"),
    ("archived = true)", "BAD_FILTER", 15, "unmatched ')'"),
    ("()", "BAD_FILTER", 1, "expected a field name, NOT or '('"),
    ("archived = true AND", "BAD_FILTER", 19, "found the end of the filter"),
    ("archived", "BAD_FILTER", 8, "expected an operator"),
    ("metrics.auc IS 1", "BAD_FILTER", 15, "expected NOT NULL or NULL after IS"),
    (
        "tags.team = NULL",
        "BAD_FILTER",
        12,
        "found 'NULL' at 12 (a missing value is tested with IS NULL)",
    ),
    ("archived = metrics.`\ud800`", "BAD_FILTER", 11, "expected a value after '='"),
    ("\ud800", "BAD_FILTER", 0, "unexpected character '\\ud800' at 0"),
    ("archived == true", "BAD_FILTER", 9, "'==' is written '='"),
    ("archived = true; drop", "BAD_FILTER", 15, "unexpected character ';'"),
    ("quality_score > 1.5e", "BAD_FILTER", 20, "exponent"),
    ("quality_score > 5x", "BAD_FILTER", 17, "unexpected character 'x' in a number"),
    ("NOT " * 33 + "archived = true", "FILTER_TOO_COMPLEX", 128, "nest more than 32"),
]


@pytest.mark.parametrize(
    ("text", "code", "position", "message"), ERRORS, ids=[e[0][:40] for e in ERRORS]
)
def test_a_bad_filter_is_refused_at_the_offending_token(
    text: str, code: str, position: int, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(text)
    assert refused.value.code == code
    assert refused.value.details == {"position": position}
    assert message in refused.value.message
    assert errors.status_of(code) == 400


def test_an_unknown_field_lists_every_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse("colour = 'red'")
    assert all(spec.shown in refused.value.message for spec in f.CATALOG)


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


# Rendering and fingerprints.
def test_render_writes_the_canonical_text() -> None:
    tree = parse(
        "not (metric.`val loss` <= 1E-3 or tags.team is null)"
        " and created_at > '2026-03-01T02:00+02:00'"
        " and (title contains 'it''s' or family != 'statistical' and archived = false)"
    )
    assert tree is not None
    assert render(tree) == (
        "NOT (metrics.`val loss` <= 0.001 OR tags.team IS NULL)"
        " AND created_at > '2026-03-01T00:00:00Z'"
        " AND (title CONTAINS 'it''s' OR (family != 'statistical' AND archived = false))"
    )


def test_a_fingerprint_is_the_short_hash_of_the_canonical_text() -> None:
    one = parse("metrics.rmse<0.05 and (family='statistical' and tags.team='neuro')")
    two = parse("metric.rmse < 5e-2 AND family = \"statistical\" AND tag.team = 'neuro'")
    assert one is not None
    assert one == two
    assert fingerprint(one) == fingerprint(two)
    canonical = "metrics.rmse < 0.05 AND family = 'statistical' AND tags.team = 'neuro'"
    assert fingerprint(one) == hashlib.sha256(canonical.encode()).hexdigest()[:16]
    assert fingerprint(None) == hashlib.sha256(b"").hexdigest()[:16]
    assert fingerprint(
        parse("tags.team = 'neuro' AND metrics.rmse < 0.05 AND family = 'statistical'")
    ) != fingerprint(one)


# Property tests: the round trip, and nothing but InvalidInput for any text.
_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def _values(where: Field, op: Op) -> st.SearchStrategy[object]:
    kind = where.spec.kind
    if op is Op.PRESENT:
        return st.none()
    if kind is Kind.TEXT:
        return st.text(_TEXT, max_size=min(where.spec.max_length, 40))
    if kind is Kind.NUMBER:
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind is Kind.INTEGER:
        return st.integers(values.BIGINT_MIN, values.BIGINT_MAX)
    if kind is Kind.DATETIME:
        zones = st.builds(
            timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))
        )
        return st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31), timezones=zones)
    if kind is Kind.BOOLEAN:
        return st.booleans()
    if kind is Kind.FAMILY:
        return st.sampled_from(Family)
    if kind is Kind.WARNING_CODE:
        return st.sampled_from(WarningCode)
    if kind is Kind.ALIAS:
        return st.from_regex(ids.ALIAS, fullmatch=True).filter(
            lambda a: not ids.RESERVED_ALIAS.fullmatch(a)
        )
    return st.from_regex(ids.POSSIBLE_REF, fullmatch=True).filter(ids.possible_ref)


@st.composite
def leaves(draw: st.DrawFn) -> Node:
    spec = draw(st.sampled_from(f.CATALOG))
    param = None
    if spec is f.METRICS:
        param = draw(
            st.text(_TEXT, min_size=1, max_size=30)
            | st.from_regex(r"[A-Za-z_]\w{0,9}", fullmatch=True)
        )
    elif spec is f.TAGS:
        param = draw(st.from_regex(tags.KEY, fullmatch=True))
    where = Field(spec, param)
    op = draw(st.sampled_from(spec.ops))
    return leaf(where, op, draw(_values(where, op)))


def _groups(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    many = st.lists(children, min_size=1, max_size=4).map(tuple)
    return st.builds(Not, children) | many.map(And) | many.map(Or)


trees = st.recursive(leaves(), _groups, max_leaves=48)


@PROPERTY
@given(trees)
def test_every_tree_renders_to_text_that_parses_back_to_it(tree: Node) -> None:
    normal = normalize(tree)
    try:
        check_limits(normal)
    except InvalidInput:
        with pytest.raises(InvalidInput) as refused:
            parse(render(normal))
        assert refused.value.code == "FILTER_TOO_COMPLEX"
        return
    assert parse(render(normal)) == normal
    assert parse(render(tree)) == normal
    assert fingerprint(tree) == fingerprint(normal)


FRAGMENTS = [
    *(s.name for s in f.CATALOG), "metrics.rmse", "metric.`a b`", "tags.team", "tag.x/y",
    "AND", "or", "Not", "IS", "NULL", "CONTAINS", "true", "FALSE", "(", ")", "=", "!=",
    "<", "<=", ">", ">=", "==", "'statistical'", "'x''y'", '"q"', "'", '"', "`", "0.5",
    "-1", "1e9", "1e99999", "9223372036854775808", ".", "-", "'2026-01-01'", "'dataset-a'",
    "'production'", "'UNPINNED_INPUTS'", "\x00", "\ud800", "metrics.`\ud800`", "'\udfff'",
    "\xa0", "İ", " ", "\n",
]  # fmt: skip


def _check_any(text: str) -> None:
    try:
        tree = parse(text)
    except InvalidInput as refused:
        assert refused.code in ("BAD_FILTER", "FILTER_TOO_COMPLEX"), refused.code
        refused.message.encode()  # an error's message is valid UTF-8, whatever the input
        position = refused.details.get("position")
        assert refused.code == "FILTER_TOO_COMPLEX" or position is not None
        assert position is None or 0 <= position <= len(text)
        return
    if tree is not None:
        assert parse(render(tree)) == tree


@PROPERTY
@given(st.text())
def test_any_text_parses_or_is_refused_with_invalid_input(text: str) -> None:
    _check_any(text)


@settings(max_examples=1500, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.sampled_from([" ", ""]))
def test_any_soup_of_tokens_parses_or_is_refused_with_invalid_input(
    parts: list[str], sep: str
) -> None:
    _check_any(sep.join(parts))


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
    seen_specs: set[f.FieldSpec] = set()
    depths = set()
    for seed in range(400):
        tree = random_tree(random.Random(seed), vocabulary)
        assert check_limits(tree) == tree
        assert parse(render(tree)) == tree
        assert random_tree(random.Random(seed), vocabulary) == tree
        depths.add(depth(tree))
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                seen_specs.add(node.field.spec)
            elif isinstance(node, Not):
                stack.append(node.child)
            else:
                stack.extend(node.children)
    assert seen_specs == set(f.CATALOG)
    assert depths == set(range(MAX_DEPTH + 1))
    answers = {evaluate(random_tree(random.Random(s)), MODEL) for s in range(50)}
    assert answers == {True, False}


def test_the_error_table_states_the_limits_the_code_enforces() -> None:
    meaning = errors.CODES["FILTER_TOO_COMPLEX"].meaning
    assert f"more than {MAX_DEPTH} levels" in meaning
    assert f"more than {MAX_NESTING})" in meaning
    assert f"more than {MAX_LEAVES} conditions" in meaning
    assert f"more than {MAX_LENGTH:,} characters" in meaning


@pytest.mark.parametrize(
    ("text", "position"), [("metrics.rmse < AND", 15), ("title CONTAINS '\ud800'", 15)]
)
def test_the_rest_error_body_carries_code_message_and_position(text: str, position: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(text)
    exc = refused.value
    body = orjson.loads(responses.error_body("/api/models", exc.code, exc.message, exc.details))
    assert body == {"error": {"code": "BAD_FILTER", "message": exc.message, "position": position}}
