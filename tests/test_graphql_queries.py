"""Lookups, filters, sorts, paging and back-links through /graphql."""

from __future__ import annotations

import pytest

from app.domain import Family
from tests.factories import (
    make_analysis,
    make_compliant_model,
    make_dataset,
    make_hypothesis,
    make_model,
)

PAGE = """
query($filter: ModelFilter, $sort: ModelSort, $limit: Int, $offset: Int) {
  models(filter: $filter, sort: $sort, limit: $limit, offset: $offset) {
    total items { id qualityScore parameterCount }
  }
}
"""


async def ids(api, **variables) -> list[str]:
    data = await api.data(PAGE, variables)
    return [m["id"] for m in data["models"]["items"]]


async def test_lookups_accept_version_ids_and_lineage_ids(api, conn):
    await make_dataset(conn, "ds")
    await make_dataset(conn, "ds")
    q = '{ a: dataset(id: "ds-v1") { id isLatest } b: dataset(id: "ds") { id isLatest } }'
    data = await api.data(q)
    assert data == {"a": {"id": "ds-v1", "isLatest": False}, "b": {"id": "ds-v2", "isLatest": True}}


async def test_unknown_id_or_wrong_kind_returns_null(api, conn):
    await make_dataset(conn, "ds")
    data = await api.data(
        '{ model(id: "ds") { id } dataset(id: "nope") { id } artifact(id: "ds-v1") { kind } }'
    )
    assert data == {"model": None, "dataset": None, "artifact": {"kind": "DATASET"}}


async def test_model_fields_and_provenance(api, conn):
    m = await make_model(
        conn,
        "m",
        raw_quality_score=0.9,
        parameter_count=7_000_000_000,
        evaluation_metrics={"rmse": 0.1, "auroc": 0.8},
        training_config={"optimizer": {"lr": 0.01}},
    )
    data = await api.data(
        """query($id: ID!) { model(id: $id) { family parameterCount qualityScore rawQualityScore
            trainingConfig evaluationMetricsJson evaluationMetrics { name value better }
            provenance { complete warnings { code } } } }""",
        {"id": m.id},
    )
    assert data["model"] == {
        "family": "STATISTICAL",
        "parameterCount": 7_000_000_000,
        "qualityScore": 0.3,
        "rawQualityScore": 0.9,
        "trainingConfig": {"optimizer": {"lr": 0.01}},
        "evaluationMetricsJson": {"rmse": 0.1, "auroc": 0.8},
        "evaluationMetrics": [
            {"name": "auroc", "value": 0.8, "better": "HIGHER"},
            {"name": "rmse", "value": 0.1, "better": "LOWER"},
        ],
        "provenance": {
            "complete": False,
            "warnings": [{"code": "MISSING_TRAINING_DATA"}, {"code": "MISSING_PRODUCING_ANALYSIS"}],
        },
    }


async def test_filters_by_family_dataset_hypothesis_latest_and_title(api, conn):
    ds1 = await make_dataset(conn, "ds")
    ds2 = await make_dataset(conn, "ds")
    other = await make_dataset(conn, "other")
    h = await make_hypothesis(conn, "h")
    await make_model(conn, "a", trained_on=(ds1.id,), family=Family.BIOPHYSICAL, title="Alpha ODE")
    await make_model(conn, "a", trained_on=(ds2.id,), tests=(h.id,), title="Alpha ODE two")
    await make_model(conn, "b", trained_on=("ds",), title="Beta net", family=Family.DEEP_LEARNING)
    await make_model(conn, "c", trained_on=(other.id,), title="100% sure_fit")

    def f(**kw):
        return {"filter": kw, "sort": {"field": "CREATED_AT", "direction": "ASC"}}

    assert await ids(api, **f(family="BIOPHYSICAL")) == ["a-v1"]
    assert await ids(api, **f(trainedOn="ds-v1")) == ["a-v1"]
    # ds-v2 is the latest, so the model floating on the lineage reaches it too.
    assert await ids(api, **f(trainedOn="ds-v2")) == ["a-v2", "b-v1"]
    assert await ids(api, **f(trainedOn="ds")) == ["a-v1", "a-v2", "b-v1"]
    assert await ids(api, **f(testsHypothesis="h")) == ["a-v2"]
    assert await ids(api, **f(latestOnly=True)) == ["a-v2", "b-v1", "c-v1"]
    assert await ids(api, **f(search="alpha")) == ["a-v1", "a-v2"]
    assert await ids(api, **f(search="%")) == ["c-v1"]
    assert await ids(api, **f(search="e_n")) == []
    assert await ids(api, **f(search="_")) == ["c-v1"]
    assert await ids(api, **f(trainedOn="no-such")) == []
    assert await ids(api, **f(trainedOn=h.id)) == []
    data = await api.data(PAGE, f(trainedOn="ds"))
    assert data["models"]["total"] == 3


@pytest.mark.parametrize("field", ["QUALITY_SCORE", "CREATED_AT", "PARAMETER_COUNT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_pages_never_overlap_or_skip_even_with_ties(api, conn, field, direction):
    for i in range(7):
        # Scores and sizes tie in pairs; only the id breaks the tie.
        await make_compliant_model(
            conn, f"m{i}", raw_quality_score=0.5 + (i // 2) / 10, parameter_count=i // 2
        )
    seen: list[str] = []
    for offset in range(0, 7, 3):
        seen += await ids(
            api, sort={"field": field, "direction": direction}, limit=3, offset=offset
        )
    everything = await ids(api, sort={"field": field, "direction": direction}, limit=100)
    assert seen == everything
    assert len(set(seen)) == 7
    key = {"QUALITY_SCORE": "qualityScore", "PARAMETER_COUNT": "parameterCount"}.get(field)
    if key:
        data = await api.data(
            PAGE, {"sort": {"field": field, "direction": direction}, "limit": 100}
        )
        pairs = [(m[key], m["id"]) for m in data["models"]["items"]]
        assert pairs == sorted(pairs, reverse=direction == "DESC")


async def test_back_links_from_datasets_analyses_and_hypotheses(api, conn):
    ds = await make_dataset(conn, "ds")
    h = await make_hypothesis(conn, "h")
    an = await make_analysis(conn, "an", uses=(ds.id, "h"), addresses=(h.id,))
    m = await make_model(conn, "m", trained_on=(ds.id,), produced_by=an.id, tests=(h.id,))
    data = await api.data(
        """{ dataset(id: "ds") { trainedModels { id } usedBy { id } }
             analysis(id: "an") { producedModels { id } addresses { id }
               inputs { pinned pinnedVersion artifact { id } } }
             hypothesis(id: "h") { testedBy { id } analyses { id } } }"""
    )
    assert data["dataset"] == {"trainedModels": [{"id": m.id}], "usedBy": [{"id": an.id}]}
    assert data["analysis"]["producedModels"] == [{"id": m.id}]
    assert data["analysis"]["addresses"] == [{"id": h.id}]
    assert sorted(data["analysis"]["inputs"], key=lambda i: i["artifact"]["id"]) == [
        {"pinned": True, "pinnedVersion": 1, "artifact": {"id": "ds-v1"}},
        {"pinned": False, "pinnedVersion": None, "artifact": {"id": "h-v1"}},
    ]
    assert data["hypothesis"] == {"testedBy": [{"id": m.id}], "analyses": [{"id": an.id}]}


async def test_floating_input_resolves_to_the_newest_version(api, conn):
    await make_dataset(conn, "ds")
    await make_analysis(conn, "an", uses=("ds",))
    await make_dataset(conn, "ds")
    data = await api.data('{ analysis(id: "an") { inputs { pinned artifact { id } } } }')
    assert data["analysis"]["inputs"] == [{"pinned": False, "artifact": {"id": "ds-v2"}}]


async def test_versions_and_latest_of_a_model(api, conn):
    for _ in range(3):
        await make_model(conn, "m")
    data = await api.data('{ model(id: "m-v2") { versions { versionNumber } latest { id } } }')
    assert data["model"] == {
        "versions": [{"versionNumber": 1}, {"versionNumber": 2}, {"versionNumber": 3}],
        "latest": {"id": "m-v3"},
    }


async def test_other_kind_lists_page_with_totals(api, conn):
    for i in range(5):
        await make_hypothesis(conn, f"h{i}", title=f"Hypothesis {i}")
    await make_hypothesis(conn, "h0")
    data = await api.data(
        "{ hypotheses(limit: 2, offset: 1) { total items { id } } "
        "latest: hypotheses(latestOnly: true, limit: 100) { total } "
        'search: hypotheses(search: "HYPOTHESIS 3") { items { id } } }'
    )
    assert data["hypotheses"]["total"] == 6
    assert len(data["hypotheses"]["items"]) == 2
    assert data["latest"]["total"] == 5
    assert data["search"]["items"] == [{"id": "h3-v1"}]
