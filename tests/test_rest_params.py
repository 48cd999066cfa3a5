"""REST and the pages speak one language: any case for enums, the pages' names, repeats."""

from __future__ import annotations

import re

import pytest

from app.demo.load import load_if_empty
from app.http import rest_docs, rest_params
from app.http.openapi import DOCUMENT
from app.settings import PROJECT_ROOT

TWO = ["model-biophys-microglia-v2", "model-biophys-microglia-v3"]
THREE = [*TWO, "model-cytokine-hill-v1"]


@pytest.fixture
async def demo(conn):
    await load_if_empty(conn)


async def ids_of(api, params) -> list[str]:
    r = await api.client.get("/api/models", params=params)
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()["models"]]


@pytest.mark.parametrize(
    "params",
    [
        {"family": "BIOPHYSICAL", "sort": "QUALITY_SCORE", "order": "ASC"},
        {"family": "Biophysical", "sort": "Quality_Score", "order": "Asc"},
        # The catalog page's own URL: /models?family=BIOPHYSICAL&sort=QUALITY_SCORE&direction=ASC
        {"family": "BIOPHYSICAL", "sort": "QUALITY_SCORE", "direction": "ASC"},
        {"family": "biophysical", "sort": "quality_score", "order": "asc", "direction": "ASC"},
    ],
)
async def test_enum_values_and_the_pages_names_mean_the_rest_spelling(api, demo, params):
    expected = await ids_of(api, {"family": "biophysical", "sort": "quality_score", "order": "asc"})
    assert len(expected) > 1
    assert await ids_of(api, params) == expected


@pytest.mark.parametrize(
    ("pages", "rest"),
    [
        ({"search": "ODE"}, {"q": "ODE"}),
        ({"latestOnly": "true"}, {"latest": "true"}),
        ({"latestOnly": "yes"}, {"latest": "1"}),
        ({"latestOnly": "TRUE", "search": "model"}, {"latest": "true", "q": "model"}),
        (
            {"direction": "asc", "limit": "3", "offset": "2"},
            {"order": "asc", "limit": "3", "offset": "2"},
        ),
        ({"dataset": "dataset-sea-ad-snrna"}, {"dataset": "dataset-sea-ad-snrna"}),
    ],
)
async def test_the_catalog_pages_parameter_names_are_accepted(api, demo, pages, rest):
    expected = await ids_of(api, rest)
    assert expected
    assert await ids_of(api, pages) == expected


async def test_latest_only_filters_under_both_names(api, demo):
    every = await ids_of(api, {"limit": "100"})
    latest = await ids_of(api, {"limit": "100", "latestOnly": "true"})
    assert set(latest) < set(every)
    assert await ids_of(api, {"limit": "100", "latest": "TRUE"}) == latest


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("order=asc&direction=desc", "order"),
        ("q=ODE&search=net", "q"),
        ("latest=true&latestOnly=false", "latest"),
        ("family=biophysical&family=statistical", "family"),
        ("limit=5&limit=6", "limit"),
    ],
)
async def test_spellings_that_disagree_are_400_conflicting_parameters(api, query, parameter):
    r = await api.client.get("/api/models?" + query)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "CONFLICTING_PARAMETERS"
    assert error["parameter"] == parameter
    for part in query.split("&"):
        name, value = part.split("=")
        assert f"{name}={value!r}" in error["message"]


@pytest.mark.parametrize(
    "query", ["order=desc&direction=DESC", "family=statistical&family=STATISTICAL", "q=&search=ODE"]
)
async def test_spellings_that_agree_are_one_parameter(api, demo, query):
    r = await api.client.get("/api/models?" + query)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        (
            "family=QUANTUM",
            "family",
            "family must be one of biophysical, deep_learning, statistical",
        ),
        ("sort=TITLE", "sort", "sort must be one of quality_score, created_at, parameter_count"),
        ("direction=UP", "direction", "direction must be one of asc, desc, got 'UP'"),
        ("order=Up", "order", "order must be one of asc, desc, got 'Up'"),
        ("latestOnly=maybe", "latestOnly", "latestOnly must be true or false"),
    ],
)
async def test_bad_enum_values_keep_their_stable_error(api, query, parameter, message):
    r = await api.client.get("/api/models?" + query)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "BAD_USER_INPUT"
    assert error["parameter"] == parameter
    assert error["message"].startswith(message)


@pytest.mark.parametrize(
    "query",
    [
        "ids={0},{1},{2}",
        "ids={0}&ids={1}&ids={2}",
        "ids={0},{1}&ids={2}",
        "ids={0}&ids={1},{2}",
        # The compare page also splits on white space (static/compare.js parseIds).
        "ids={0}%20{1},%20{2}",
        "ids={0}+{1}&ids=+{2}+",
    ],
)
async def test_compare_ids_may_be_repeated_or_comma_separated(api, demo, query):
    r = await api.client.get("/api/models/compare?" + query.format(*THREE))
    assert r.status_code == 200, r.text
    assert [m["id"] for m in r.json()["models"]] == THREE


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "ids is required"),
        ("ids=", "ids is required"),
        ("ids=&ids=", "ids is required"),
        (f"ids={TWO[0]}&ids=", ""),
    ],
)
async def test_compare_ids_errors_name_the_parameter(api, demo, query, message):
    r = await api.client.get("/api/models/compare?" + query)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "BAD_USER_INPUT" and error["parameter"] == "ids"
    assert message in error["message"]


def test_readme_lists_every_rest_parameter_as_openapi_does():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert rest_docs.parameters_table() in readme, (
        "the README's REST table is stale: run `.venv/bin/python -m app readme-tables --write`"
    )
    documented = {
        p["name"]: p.get("x-aliases", [])
        for item in DOCUMENT["paths"].values()
        for op in item.values()
        for p in op.get("parameters", [])
        if p["in"] == "query"
    }
    assert {name: list(a) for name, a in rest_params.ALIASES.items()} == {
        name: aliases for name, aliases in documented.items() if aliases
    }


# Names a page keeps in its URL for its own view only, with no REST meaning.
PAGE_ONLY: dict[str, str] = {
    "columns": "the catalog's table columns: what is shown, not which models or in what order",
}


def test_every_name_the_pages_put_in_their_urls_is_a_rest_spelling():
    catalog = (PROJECT_ROOT / "static" / "catalog.js").read_text()
    read_state = catalog[catalog.index("export function readState") :]
    read_state = read_state[: read_state.index("\n}\n")]
    catalog_names = set(re.findall(r"(?:text|int)\('(\w+)'", read_state))
    assert {
        "family",
        "dataset",
        "hypothesis",
        "q",
        "tag",
        "alias",
        "latest",
        "filter",
        "sort",
        "order",
        "limit",
        "offset",
        "cursor",
        # The names the other pages' links to the catalog still use.
        "direction",
        "latestOnly",
        "search",
    } <= catalog_names
    ui = (PROJECT_ROOT / "static" / "ui.js").read_text()
    compare_names = set(re.findall(r"'/models/compare\?(\w+)=", ui))
    assert "ids" in compare_names
    rest_names = [
        p["name"]
        for item in DOCUMENT["paths"].values()
        for op in item.values()
        for p in op.get("parameters", [])
    ]
    spelled = {spelling for name in rest_names for spelling in rest_params.spellings(name)}
    unknown = (catalog_names | compare_names) - spelled - PAGE_ONLY.keys()
    assert not unknown, (
        f"the pages put {unknown} in their URLs: give REST the same name (rest_params.ALIASES) "
        "when it means a REST parameter, else list it in PAGE_ONLY"
    )


async def test_compare_reads_repeated_ids_with_a_baseline_and_refuses_two_baselines(api, demo):
    query = f"ids={THREE[0]}&ids={THREE[1]},{THREE[2]}&baseline={THREE[1]}"
    r = await api.client.get("/api/models/compare?" + query)
    assert r.status_code == 200, r.text
    assert r.json()["baseline_model_id"] == THREE[1]
    r = await api.client.get(f"/api/models/compare?{query}&baseline={THREE[2]}")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "CONFLICTING_PARAMETERS"
    assert r.json()["error"]["parameter"] == "baseline"
