"""A dataset version may name the analysis that wrote it: produced_by from dataset to analysis."""

from __future__ import annotations

import asyncpg
import pytest

from app.domain import LinkSpec, LinkType
from app.errors import InvalidInput
from app.service import scores
from tests.factories import make_analysis, make_dataset, make_model, make_token

REGISTER = """
mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { id } }
"""
READ = """
query($d: ID!, $a: ID!) {
  dataset(id: $d) { id producedBy { id } }
  analysis(id: $a) {
    producedDatasets { id } producedDatasetsCount
    producedModels { id } producedModelsCount
  }
}
"""


async def test_a_dataset_registered_with_its_producer_shows_it_both_ways(api, conn):
    raw = await make_dataset(conn, "raw")
    step = await make_analysis(conn, "clean", uses=(raw.id,))
    model = await make_model(conn, "m", trained_on=(raw.id,), produced_by=step.id)
    token = await make_token(conn, "write")
    variables = {"input": {"lineageId": "clean-out", "title": "Cleaned", "producedBy": step.id}}
    body = await api.gql(REGISTER, variables, headers={"authorization": f"Bearer {token}"})
    assert body["data"]["registerDataset"]["id"] == "clean-out-v1", body
    for reader in (api,):
        data = await reader.data(READ, {"d": "clean-out-v1", "a": step.id})
        assert data["dataset"]["producedBy"] == {"id": step.id}
        # Models and datasets that name the same producer stay in their own lists.
        assert data["analysis"]["producedDatasets"] == [{"id": "clean-out-v1"}]
        assert data["analysis"]["producedDatasetsCount"] == 1
        assert data["analysis"]["producedModels"] == [{"id": model.id}]
        assert data["analysis"]["producedModelsCount"] == 1


async def test_the_resolvers_answer_like_the_compiled_path(api, resolver_api, conn):
    step = await make_analysis(conn, "step")
    await make_dataset(conn, "out", links=(LinkSpec(LinkType.PRODUCED_BY, step.id),))
    await make_model(conn, "m", produced_by=step.id)
    variables = {"d": "out", "a": "step"}
    assert await api.data(READ, variables) == await resolver_api.data(READ, variables)


async def test_only_an_analysis_produces_a_dataset(conn):
    other = await make_dataset(conn, "other")
    with pytest.raises(InvalidInput) as e:
        await make_dataset(conn, "out", links=(LinkSpec(LinkType.PRODUCED_BY, other.id),))
    assert e.value.code == "WRONG_KIND"
    assert await conn.fetchval("select count(*) from artifacts where lineage_id = 'out'") == 0


async def test_a_dataset_has_at_most_one_producer(conn):
    a, b = await make_analysis(conn, "a"), await make_analysis(conn, "b")
    links = (LinkSpec(LinkType.PRODUCED_BY, a.id), LinkSpec(LinkType.PRODUCED_BY, b.id))
    with pytest.raises(InvalidInput):
        await make_dataset(conn, "out", links=links)


async def test_a_hypothesis_still_cannot_be_produced(conn):
    step = await make_analysis(conn, "step")
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute(
            "insert into lineages (id, kind, latest_version) values ('h', 'hypothesis', 1)"
        )
        await conn.execute(
            "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title) "
            "values ('h-v1', 'h', 'hypothesis', 1, true, 'H')"
        )
        await conn.execute(
            "insert into links (source_id, source_kind, type, target_lineage_id, target_kind, "
            "target_version_id) values ('h-v1', 'hypothesis', 'produced_by', 'step', "
            "'analysis', $1)",
            step.id,
        )


async def test_a_new_analysis_version_rescores_its_models_past_datasets_floating_on_it(conn):
    raw = await make_dataset(conn, "raw")
    await make_analysis(conn, "step", uses=("raw",))
    # Both float on the producing analysis, so each new version of it is theirs.
    await make_dataset(conn, "out", links=(LinkSpec(LinkType.PRODUCED_BY, "step"),))
    model = await make_model(conn, "m", trained_on=(raw.id,), produced_by="step")
    before = await scores.stale(conn)
    await make_analysis(conn, "step", uses=(raw.id,))
    assert before == [] and await scores.stale(conn) == []
    stored = await conn.fetchval(
        "select provenance_warnings from artifacts where id = $1", model.id
    )
    # Still its own floating producer; the analysis's floating input is gone with version 2.
    assert [w["code"] for w in stored] == ["UNPINNED_INPUTS"]
    assert "raw" not in stored[0]["message"]
