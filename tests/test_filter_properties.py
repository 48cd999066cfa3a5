"""Properties of the filter language: every tree renders to a text that parses back to it,
and any text either parses or is refused with InvalidInput (never another exception).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import ids, tags
from app.domain import Family, WarningCode
from app.errors import InvalidInput
from app.search import fields as f
from app.search import values
from app.search.fields import Field, Kind, Op
from app.search.parse import parse
from app.search.render import fingerprint, render
from app.search.tree import (
    And,
    Node,
    Not,
    Or,
    check_limits,
    leaf,
    normalize,
)

PROPERTY = settings(max_examples=400, deadline=None, database=None, derandomize=True)

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
