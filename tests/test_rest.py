"""The REST shims: the spec's shapes, parameter errors, parity with GraphQL, OpenAPI."""

from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate

from app.demo.load import load_if_empty
from app.http.openapi import DOCUMENT
from tests.http import running_app
from tests.reference_reads import Reference

SPEC_KEYS = {
    "id",
    "title",
    "model_family",
    "version_number",
    "is_latest",
    "quality_score",
    "evaluation_metrics",
    "trained_on",
    "produced_by",
    "created_at",
}


@pytest.fixture
async def demo(conn):
    await load_if_empty(conn)


def check(body, schema_ref: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_ref}", "components": DOCUMENT["components"]}
    jsonschema.Draft202012Validator(schema).validate(body)


def check_response(path: str, status: int, body) -> None:
    """Validate a response body against what the document says for that path and status."""
    response = DOCUMENT["paths"][path]["get"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": DOCUMENT["components"]}).validate(body)


async def test_list_has_exactly_the_spec_shape(api, demo):
    r = await api.client.get(
        "/api/models", params={"family": "biophysical", "sort": "quality_score"}
    )
    assert r.status_code == 200
    body = r.json()
    # The spec's keys, and the cursor of the next page (null: this is the last page).
    assert set(body) == {"models", "total", "next_cursor"} and body["next_cursor"] is None
    assert body["total"] == len(body["models"]) > 0
    for item in body["models"]:
        assert set(item) >= SPEC_KEYS
        assert item["model_family"] == "biophysical"
    scores = [m["quality_score"] for m in body["models"]]
    assert scores == sorted(scores, reverse=True)
    microglia = next(m for m in body["models"] if m["id"] == "model-biophys-microglia-v3")
    assert microglia["trained_on"] in microglia["trained_on_all"]
    assert microglia["produced_by"] == "analysis-microglia-ode-fit-v2"
    assert microglia["evaluation_metrics"] == {"rmse": 0.023, "aic": -450.0, "r2": 0.91}
    check_response("/api/models", 200, body)


async def test_list_items_carry_architecture_and_parameter_count(api, demo):
    listed = (await api.client.get("/api/models", params={"limit": 100})).json()["models"]
    data = await api.data("{ models(limit: 100) { items { id architecture parameterCount } } }")
    expected = {m["id"]: (m["architecture"], m["parameterCount"]) for m in data["models"]["items"]}
    assert {m["id"]: (m["architecture"], m["parameter_count"]) for m in listed} == expected
    assert all(isinstance(m["parameter_count"], int) and m["architecture"] for m in listed)
    ids = "model-biophys-microglia-v3,model-cytokine-hill"
    compared = (await api.client.get("/api/models/compare", params={"ids": ids})).json()
    for m in compared["models"]:
        assert (m["architecture"], m["parameter_count"]) == expected[m["id"]]


async def test_list_filters_by_dataset_and_hypothesis(api, demo):
    by_ds = (await api.client.get("/api/models", params={"dataset": "dataset-sea-ad-snrna"})).json()
    assert by_ds["total"] > 0
    assert all(
        any(d.startswith("dataset-sea-ad-snrna-v") for d in m["trained_on_all"])
        for m in by_ds["models"]
    )
    by_h = (
        await api.client.get(
            "/api/models", params={"hypothesis": "hypothesis-apoe4-lipid-droplets-v1"}
        )
    ).json()
    assert {m["id"] for m in by_h["models"]} == {
        f"model-gwas-susie-finemap-v{i}" for i in (1, 2, 3)
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"sort": "title"}, "sort"),
        ({"order": "up"}, "order"),
        ({"family": "quantum"}, "family"),
        ({"latest": "maybe"}, "latest"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(api, params, parameter):
    r = await api.client.get("/api/models", params=params)
    assert r.status_code == 400
    body = r.json()
    assert body["error"]["parameter"] == parameter
    assert body["error"]["code"] == "BAD_USER_INPUT"
    check_response("/api/models", 400, body)


async def test_detail_has_versions_links_and_provenance(api, demo):
    r = await api.client.get("/api/models/model-celltype-classifier")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "model-celltype-classifier-v4"
    assert [v["version_number"] for v in body["versions"]] == [1, 2, 3, 4]
    assert {d["id"] for d in body["links"]["trained_on"]} == {
        "dataset-sea-ad-snrna-v2",
        "dataset-abc-atlas-merfish-v1",
    }
    assert body["links"]["produced_by"]["inputs"]
    assert body["provenance"] == {"complete": True, "warnings": []}
    assert body["metric_intervals"] == {}
    ode = (await api.client.get("/api/models/model-biophys-microglia-v3")).json()
    check(ode, "ModelDetail")
    assert ode["evaluation_metrics"] == {"rmse": 0.023, "aic": -450.0, "r2": 0.91}
    assert ode["metric_intervals"] == {
        "r2": {"lower": 0.88, "upper": 0.93},
        "rmse": {"lower": 0.02104, "upper": 0.02496, "stderr": 0.001},
    }
    capped = (await api.client.get("/api/models/model-celltype-classifier-v2")).json()
    assert capped["quality_score"] == 0.3 and capped["quality_warning"] is True
    assert {w["code"] for w in capped["provenance"]["warnings"]} == {
        "UNPINNED_INPUTS",
        "MISSING_HYPOTHESIS_LINK",
    }
    check_response("/api/models/{id}", 200, body)


async def test_unknown_ids_are_404(api, demo):
    for path in ("/api/models/nope", "/api/models/dataset-sea-ad-snrna-v1"):
        r = await api.client.get(path)
        assert r.status_code == 404
        check_response("/api/models/{id}", 404, r.json())
    r = await api.client.get("/api/models/compare", params={"ids": "model-hh-interneuron,nope"})
    assert r.status_code == 404 and "nope" in r.json()["error"]["message"]


async def test_compare_returns_the_structured_comparison(api, demo):
    ids = "model-biophys-microglia-v2,model-biophys-microglia-v3,model-cytokine-hill"
    r = await api.client.get("/api/models/compare", params={"ids": ids})
    assert r.status_code == 200
    body = r.json()
    check_response("/api/models/compare", 200, body)
    assert [m["id"] for m in body["models"]] == [
        "model-biophys-microglia-v2",
        "model-biophys-microglia-v3",
        "model-cytokine-hill-v1",
    ]
    rows = {m["name"]: m for m in body["metrics"]}
    rmse, r2 = rows["rmse"], rows["r2"]
    assert rmse["better"] == "lower" and rmse["best_model_ids"] == ["model-biophys-microglia-v3"]
    assert rmse["verdict"] == "best"
    # v2's and v3's r2 intervals meet: neither is named best
    assert (r2["verdict"], r2["best_model_ids"], r2["overlapping_model_ids"]) == (
        "within_uncertainty",
        [],
        ["model-biophys-microglia-v2", "model-biophys-microglia-v3"],
    )
    assert r2["intervals"]["model-biophys-microglia-v3"] == {"lower": 0.88, "upper": 0.93}
    assert rmse["delta_from_baseline"] == {
        "model-biophys-microglia-v2": 0.0,
        "model-biophys-microglia-v3": -0.008,  # exact: not -0.008000000000000002
        "model-cytokine-hill-v1": 0.057,
    }
    assert rmse["relative_delta_from_baseline"]["model-cytokine-hill-v1"] == 183.871
    assert body["baseline_model_id"] == "model-biophys-microglia-v2"
    r = await api.client.get(
        "/api/models/compare", params={"ids": ids, "baseline": "model-cytokine-hill"}
    )
    based = r.json()
    assert based["baseline_model_id"] == "model-cytokine-hill-v1"
    rmse = next(m for m in based["metrics"] if m["name"] == "rmse")
    assert rmse["delta_from_baseline"]["model-biophys-microglia-v3"] == -0.065
    r = await api.client.get("/api/models/compare", params={"ids": ids, "baseline": "nope"})
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "baseline"
    split = body["training_data_overlap"]["same_lineage_different_versions"]
    assert [s["lineage_id"] for s in split] == ["dataset-microglia-timelapse"]
    for bad in ("model-hh-interneuron", "", "a,b,c,d,e,f,g,h,i,j,k"):
        r = await api.client.get("/api/models/compare", params={"ids": bad})
        assert r.status_code == 400 and r.json()["error"]["parameter"] == "ids"


@pytest.mark.parametrize(
    ("params", "gql_filter", "gql_sort"),
    [
        ({}, {}, {"field": "CREATED_AT", "direction": "DESC"}),
        (
            {"family": "deep_learning", "sort": "quality_score"},
            {"family": "DEEP_LEARNING"},
            {"field": "QUALITY_SCORE", "direction": "DESC"},
        ),
        (
            {"sort": "parameter_count", "order": "asc", "limit": "5", "offset": "3"},
            {},
            {"field": "PARAMETER_COUNT", "direction": "ASC"},
        ),
        (
            {"dataset": "dataset-microglia-timelapse"},
            {"trainedOn": "dataset-microglia-timelapse"},
            {"field": "CREATED_AT", "direction": "DESC"},
        ),
    ],
)
async def test_rest_and_graphql_agree(api, demo, params, gql_filter, gql_sort):
    rest = (await api.client.get("/api/models", params=params)).json()
    data = await api.data(
        """query($f: ModelFilter, $s: ModelSort, $l: Int, $o: Int) {
             models(filter: $f, sort: $s, limit: $l, offset: $o) {
               total items { id qualityScore } } }""",
        {
            "f": gql_filter,
            "s": gql_sort,
            "l": int(params.get("limit", 20)),
            "o": int(params.get("offset", 0)),
        },
    )
    assert rest["total"] == data["models"]["total"]
    assert [(m["id"], m["quality_score"]) for m in rest["models"]] == [
        (m["id"], m["qualityScore"]) for m in data["models"]["items"]
    ]


async def test_openapi_document_is_valid_and_served(api):
    r = await api.client.get("/api/openapi.json")
    assert r.status_code == 200
    validate(r.json())
    assert r.json()["openapi"] == "3.1.0"


@pytest.mark.parametrize(
    ("path", "status", "code", "parameter"),
    [
        ("/api/models/%00", 404, "NOT_FOUND", None),
        ("/api/models/a%00b", 404, "NOT_FOUND", None),
        ("/api/models/" + "x" * 5000, 404, "NOT_FOUND", None),
        ("/api/models/compare?ids=,,,", 400, "BAD_USER_INPUT", "ids"),
        ("/api/models/compare?ids=%00,%01", 404, "NOT_FOUND", None),
        ("/api/models?dataset=%00", 400, "BAD_USER_INPUT", "dataset"),
        ("/api/models?hypothesis=%E2%98%83", 400, "BAD_USER_INPUT", "hypothesis"),
        ("/api/models?q=%00", 400, "BAD_USER_INPUT", None),
        ("/api/models?limit=99999999999999999999999", 400, "BAD_USER_INPUT", "limit"),
    ],
)
async def test_hostile_parameters_never_cause_a_500(api, path, status, code, parameter):
    r = await api.client.get(path)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert error.get("parameter") == parameter
    assert error["message"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"offset": "1000000"}, None),
        ({"offset": "0"}, None),
        ({"offset": "1000001"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "1"}, None),
        ({"limit": "100"}, None),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
    ],
)
async def test_list_paging_bounds_hold_on_both_sides(api, demo, params, parameter):
    r = await api.client.get("/api/models", params=params)
    if parameter is None:
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 18
        expected = 0 if params.get("offset", "0") != "0" else min(18, int(params.get("limit", 20)))
        assert len(body["models"]) == expected
    else:
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "BAD_USER_INPUT"
        assert r.json()["error"]["parameter"] == parameter
        assert "between" in r.json()["error"]["message"]


async def test_list_items_match_the_detail_summary_of_each_model(api, demo):
    listed = (await api.client.get("/api/models", params={"limit": 100})).json()["models"]
    assert len(listed) == 18
    for item in listed:
        detail = (await api.client.get(f"/api/models/{item['id']}")).json()
        assert {k: detail[k] for k in item} == item


REACHES_LINEAGE = (
    "exists (select 1 from links l where l.source_id = a.id and l.type = '{type}'"
    " and l.target_lineage_id = '{lineage}')"
)


@pytest.mark.parametrize(
    ("params", "where", "sort"),
    [
        (
            {"sort": "quality_score", "family": "statistical"},
            "a.family = 'statistical'",
            ("quality_score", "desc", 20, 0),
        ),
        (
            {"dataset": "dataset-sea-ad-snrna", "order": "asc"},
            REACHES_LINEAGE.format(type="trained_on", lineage="dataset-sea-ad-snrna"),
            ("created_at", "asc", 20, 0),
        ),
        (
            {"hypothesis": "hypothesis-trem2-microglia-activation", "latest": "true"},
            "a.is_latest and "
            + REACHES_LINEAGE.format(
                type="tests_hypothesis", lineage="hypothesis-trem2-microglia-activation"
            ),
            ("created_at", "desc", 20, 0),
        ),
        (
            {"q": "ODE", "limit": "2", "offset": "1"},
            "strpos(lower(a.title), 'ode') > 0",
            ("created_at", "desc", 2, 1),
        ),
    ],
)
async def test_list_is_the_same_through_compiled_sql_and_resolvers(
    db, app_db, conn, demo, params, where, sort
):
    answers = []
    for fast in ("1", "0"):
        async with running_app(app_db.dsn, {**app_db.env, "REGISTRY_FAST_PATH": fast}) as api:
            answers.append((await api.client.get("/api/models", params=params)).json())
    assert answers[0] == answers[1]
    # Both paths share their declarations; the reference is plain SQL over the tables.
    column, direction, limit, offset = sort
    ids, total = await Reference(conn).page(
        "model", where=where, sort=column, direction=direction, limit=limit, offset=offset
    )
    assert total > 0 and ids
    assert answers[0]["total"] == total
    scores = {
        r["id"]: r["quality_score"]
        for r in await conn.fetch("select id, quality_score from artifacts")
    }
    assert [(m["id"], m["quality_score"]) for m in answers[0]["models"]] == [
        (i, scores[i]) for i in ids
    ]
