"""Title search: any text matches literally, and each pattern gets a plan made for it."""

from __future__ import annotations

from typing import Any

import pytest

from app.readmodel import filters
from app.repo import catalog as catalog_repo
from app.service import catalog
from tests.factories import make_dataset, make_model
from tests.http import running_app
from tests.test_list_filters import Recorder, generic_plan, nodes

TRICKY = [
    "O'Brien",
    "back\\slash",
    "{a} braces {{",
    "$$ dollars $1",
    "100% _under_",
    "quote\\' mix",
    "naïve — ünïcode",
]


@pytest.mark.parametrize("text", [*TRICKY, "", "''", "\\", "E'x'"])
@pytest.mark.parametrize("conforming", ["on", "off"])
async def test_a_quoted_literal_reads_back_as_the_same_text(conn, text, conforming):
    await conn.execute(f"set standard_conforming_strings = {conforming}")
    try:
        assert await conn.fetchval(f"select {filters.quote_literal(text)}") == text
    finally:
        await conn.execute("reset standard_conforming_strings")


SEARCH = """query S($s: String) {
  models(filter: {search: $s}) { total items { id } }
  datasets(search: $s) { total items { id } }
}"""


@pytest.mark.parametrize("fast", ["1", "0"], ids=["fast path", "resolvers"])
async def test_searches_match_titles_literally_on_both_paths(db, pg_dsn, conn, fast):
    for i, title in enumerate(TRICKY):
        await make_dataset(conn, f"d{i}", title=f"data {title}")
        await make_model(conn, f"m{i}", title=f"model {title}")
    async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
        await check_searches(api)


async def check_searches(api: Any) -> None:
    for title in TRICKY:
        for text in (title, title.upper(), title[2:-1]):
            want = sorted(j for j, t in enumerate(TRICKY) if text.lower() in t.lower())
            data = await api.data(SEARCH, {"s": text})
            assert sorted(int(m["id"][1:-3]) for m in data["models"]["items"]) == want, text
            assert data["models"]["total"] == len(want)
            assert sorted(int(d["id"][1:-3]) for d in data["datasets"]["items"]) == want, text
            assert data["datasets"]["total"] == len(want)
    r = await api.client.get("/api/models", params={"q": "{a} braces"})
    assert [m["id"] for m in r.json()["models"]] == ["m2-v1"]


async def many_models(conn: Any, n: int = 4000) -> None:
    """``n`` models titled 'common ...', one in 500 also 'rare'."""
    await conn.execute(
        "insert into lineages (id, kind, latest_version)"
        " select 'sm-' || i, 'model', 1 from generate_series(1, $1::int) i",
        n,
    )
    await conn.execute(
        """
        insert into artifacts (
            id, lineage_id, kind, version_number, is_latest, title, family, architecture,
            parameter_count, training_config, evaluation_metrics, metric_directions,
            raw_quality_score, quality_score, provenance_warnings)
        select 'sm-' || i || '-v1', 'sm-' || i, 'model', 1, true,
               'common model ' || i || case when i % 500 = 0 then ' rare' else '' end,
               'statistical', 'x', i, '{}', '{}', '{}', (i % 97) / 100.0, (i % 97) / 100.0, '[]'
        from generate_series(1, $1::int) i
        """,
        n,
    )
    await conn.execute("analyze lineages, artifacts")


async def test_a_common_word_walks_the_sort_index_and_a_rare_one_does_not(conn):
    await many_models(conn)
    shapes = {}
    for text in ("common", "rare"):
        f = catalog.ModelFilter(search=text)
        q = await catalog.model_query(conn, f, "quality_score", "desc", 20, 0)
        sent = Recorder(conn)
        assert q is not None and await catalog_repo.list_models(sent, q)
        plan = await generic_plan(conn, *sent.statements[-1])
        shapes[text] = {n["Node Type"] for n in nodes(plan)} | {
            n.get("Index Name") for n in nodes(plan)
        }
    # A plan made without the pattern would be the same for both.
    assert "models_by_quality" in shapes["common"] and "Sort" not in shapes["common"]
    assert "models_by_quality" not in shapes["rare"] and "Sort" in shapes["rare"]


# Titles, and which of them each search must find: a character of the search whose case does
# not fold back to itself matches only itself; every other letter matches either case and
# what folds onto it (a title's İ is an upper-case i).
FOLDED = ["İstanbul cohort", "istanbul lower", "ISTANBUL upper", "\u0131dle dotless", "Maß", "MASS",
          "300\u212a Kelvin", "kelvin k", "Émile", "émile"]  # fmt: skip
FOLD_CASES = [
    ("İ", ["İstanbul cohort"]),
    ("İstanbul", ["İstanbul cohort"]),
    ("istanbul", ["İstanbul cohort", "istanbul lower", "ISTANBUL upper"]),
    ("\u0131", ["\u0131dle dotless"]),  # the dotless i
    ("ß", ["Maß"]),
    ("\u212a", ["300\u212a Kelvin"]),  # the Kelvin sign, which ILIKE folds to k
    ("émile", ["Émile", "émile"]),
    ("ÉMILE", ["Émile", "émile"]),
]


@pytest.mark.parametrize("fast", ["1", "0"], ids=["fast path", "resolvers"])
async def test_case_folding_never_turns_a_character_into_a_wildcard(db, pg_dsn, conn, fast):
    for i, title in enumerate(FOLDED):
        await make_model(conn, f"f{i}", title=title)
    async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
        for text, want in FOLD_CASES:
            data = await api.data(SEARCH, {"s": text})
            found = sorted(FOLDED[int(m["id"][1:-3])] for m in data["models"]["items"])
            assert found == sorted(want), text
            assert data["models"]["total"] == len(want), text
            rest = await api.client.get("/api/models", params={"q": text})
            assert sorted(m["title"] for m in rest.json()["models"]) == sorted(want), text
