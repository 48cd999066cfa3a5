"""The REST filter language: texts and the trees they parse to, texts and the error (code
and position) they get, the canonical text a tree renders to, and its fingerprint. Pure.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import orjson
import pytest

from app import errors
from app.domain import Family, WarningCode
from app.errors import InvalidInput
from app.http import responses
from app.search import fields as f
from app.search.fields import Op
from app.search.parse import MAX_LENGTH, MAX_NESTING, parse
from app.search.render import fingerprint, render
from app.search.tree import (
    MAX_DEPTH,
    MAX_LEAVES,
    And,
    Node,
    Not,
    Or,
)
from tests.filter_eval import leaf_named

L = leaf_named
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
