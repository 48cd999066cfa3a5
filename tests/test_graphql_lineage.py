"""The lineage graph: upstream dependencies and downstream blast radius, bounded."""

from __future__ import annotations

from app.domain import LinkType
from app.repo.lineage import GraphEdge
from app.service.lineage import cut
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model

LINEAGE = """
query($id: ID!, $dir: LineageDirection!, $depth: Int, $limit: Int) {
  lineage(id: $id, direction: $dir, maxDepth: $depth, limit: $limit) {
    root { id }
    nodes { distance artifact { id kind } }
    edges { sourceId targetId type pinned pinnedVersion }
    truncated
  }
}
"""


async def build(conn):
    """raw-v1 <- an-v1 <- model m-v1 <- derived d-v1; also m-v1 trained on raw-v1."""
    raw = await make_dataset(conn, "raw")
    h = await make_hypothesis(conn, "h")
    an = await make_analysis(conn, "an", uses=(raw.id,), addresses=("h",))
    m = await make_model(conn, "m", trained_on=(raw.id,), produced_by=an.id, tests=(h.id,))
    d = await make_model(conn, "d", derived_from=(m.id,), trained_on=("raw",))
    return raw, h, an, m, d


async def graph(api, id, dir, depth=5, limit=100):
    data = await api.data(LINEAGE, {"id": id, "dir": dir, "depth": depth, "limit": limit})
    return data["lineage"]


async def test_downstream_of_a_dataset_finds_every_affected_model(api, conn):
    await build(conn)
    g = await graph(api, "raw-v1", "DOWNSTREAM")
    assert g["root"] == {"id": "raw-v1"}
    distances = {n["artifact"]["id"]: n["distance"] for n in g["nodes"]}
    assert distances == {"raw-v1": 0, "an-v1": 1, "m-v1": 1, "d-v1": 1}
    models = {n["artifact"]["id"] for n in g["nodes"] if n["artifact"]["kind"] == "MODEL"}
    assert models == {"m-v1", "d-v1"}
    edges = {(e["sourceId"], e["targetId"], e["type"], e["pinned"]) for e in g["edges"]}
    assert edges == {
        ("an-v1", "raw-v1", "USES", True),
        ("m-v1", "raw-v1", "TRAINED_ON", True),
        ("d-v1", "raw-v1", "TRAINED_ON", False),
        ("m-v1", "an-v1", "PRODUCED_BY", True),
        ("d-v1", "m-v1", "DERIVED_FROM", True),
    }
    assert g["truncated"] is False


async def test_upstream_of_a_model_walks_to_its_inputs(api, conn):
    await build(conn)
    g = await graph(api, "d", "UPSTREAM")
    distances = {n["artifact"]["id"]: n["distance"] for n in g["nodes"]}
    assert distances == {"d-v1": 0, "m-v1": 1, "raw-v1": 1, "an-v1": 2, "h-v1": 2}
    pinned = {(e["sourceId"], e["targetId"]): e["pinnedVersion"] for e in g["edges"]}
    assert pinned[("m-v1", "raw-v1")] == 1
    assert pinned[("d-v1", "raw-v1")] is None
    assert all(e["sourceId"] in distances and e["targetId"] in distances for e in g["edges"])


async def test_depth_and_limit_cut_the_graph_and_say_so(api, conn):
    await build(conn)
    shallow = await graph(api, "d", "UPSTREAM", depth=1)
    assert {n["artifact"]["id"] for n in shallow["nodes"]} == {"d-v1", "m-v1", "raw-v1"}
    assert shallow["truncated"] is True
    small = await graph(api, "d", "UPSTREAM", limit=2)
    assert len(small["nodes"]) == 2 and small["truncated"] is True
    kept = {n["artifact"]["id"] for n in small["nodes"]}
    assert all(e["sourceId"] in kept and e["targetId"] in kept for e in small["edges"])


async def test_lineage_by_lineage_id_starts_at_latest_and_unknown_is_null(api, conn):
    await build(conn)
    await make_dataset(conn, "raw")
    g = await graph(api, "raw", "DOWNSTREAM")
    # raw-v2 is now the latest: only the floating link of d-v1 reaches it.
    assert {n["artifact"]["id"] for n in g["nodes"]} == {"raw-v2", "d-v1"}
    assert (await api.data(LINEAGE, {"id": "nope", "dir": "UPSTREAM"}))["lineage"] is None


async def test_lineage_bounds_are_bad_user_input(api, conn):
    await make_model(conn, "m")
    for depth, limit, field in (
        (0, 10, "maxDepth"),
        (11, 10, "maxDepth"),
        (3, 0, "limit"),
        (3, 501, "limit"),
    ):
        body = await api.gql(
            LINEAGE, {"id": "m", "dir": "UPSTREAM", "depth": depth, "limit": limit}
        )
        assert body["data"] is None or body["data"]["lineage"] is None
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def chain(conn, n: int) -> None:
    """m0 <- m1 <- ... <- m{n-1}, each derived from the one before."""
    await make_model(conn, "m0")
    for i in range(1, n):
        await make_model(conn, f"m{i}", derived_from=(f"m{i - 1}-v1",))


async def test_lineage_bounds_are_accepted_at_their_edges(api, conn):
    await chain(conn, 12)
    deepest = await graph(api, "m11", "UPSTREAM", depth=10, limit=500)
    assert [(n["artifact"]["id"], n["distance"]) for n in deepest["nodes"]] == [
        (f"m{11 - d}-v1", d) for d in range(11)
    ]
    assert len(deepest["edges"]) == 10 and deepest["truncated"] is True  # m0 is 11 away
    one = await graph(api, "m11", "UPSTREAM", depth=1, limit=1)
    assert [n["artifact"]["id"] for n in one["nodes"]] == ["m11-v1"]
    assert one["edges"] == [] and one["truncated"] is True
    whole = await graph(api, "m10", "UPSTREAM", depth=10, limit=11)
    assert len(whole["nodes"]) == 11 and whole["truncated"] is False


def test_cut_keeps_nearest_nodes_and_drops_dangling_edges():
    e = [
        GraphEdge("a", "b", LinkType.USES, True, 1),
        GraphEdge("b", "c", LinkType.USES, True, 2),
        GraphEdge("c", "d", LinkType.USES, True, 3),
    ]
    g = cut("a", e, max_depth=2, limit=10)
    assert g.distances == {"a": 0, "b": 1, "c": 2}
    assert [x.target_id for x in g.edges] == ["b", "c"]
    assert g.truncated is True
    assert cut("a", e[:2], max_depth=2, limit=10).truncated is False
