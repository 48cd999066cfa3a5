"""Protected aliases: moving one needs the promote scope and passes its gate; an admin may
force a refused move with a reason, and the move records it."""

from __future__ import annotations

import pytest

from app import promotion
from app.db import positions
from app.promotion import GateMetric
from tests.factories import make_compliant_model, make_model, make_token
from tests.test_compare_rules import model as bare_model

SET = """mutation($v: ID!, $f: Boolean! = false, $r: String! = "release") {
  setAlias(lineageId: "m", alias: "production", versionId: $v, reason: $r, force: $f) { id } }"""
PROTECT = """mutation($g: [GateMetricInput!]!) {
  protectAlias(lineageId: "*", alias: "production", gate: $g) }"""


async def use(api, conn, scope: str) -> None:
    n = await conn.fetchval("select count(*) from api_tokens")
    token = await make_token(conn, scope, name=f"{scope}-token-{n}")
    api.client.headers["authorization"] = f"Bearer {token}"


async def lineage(conn) -> None:
    """m-v1 complete (auc 0.80), m-v2 complete (auc 0.83), m-v3 incomplete (auc 0.95)."""
    await make_compliant_model(conn, "m", evaluation_metrics={"auc": 0.80, "rmse": 0.3})
    await make_compliant_model(conn, "m", evaluation_metrics={"auc": 0.83, "rmse": 0.31})
    await make_model(conn, "m", evaluation_metrics={"auc": 0.95, "rmse": 0.2})


async def protect(api, conn, gate: list[dict]) -> None:
    await use(api, conn, "admin")
    assert (await api.gql(PROTECT, {"g": gate}))["data"] == {"protectAlias": True}


async def test_the_gate_refuses_incomplete_provenance_and_lists_each_check(api, conn):
    await lineage(conn)
    await protect(api, conn, [{"metric": "auc", "threshold": 0.9}])
    await use(api, conn, "promote")
    body = await api.gql(SET, {"v": "m-v3"})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "PROMOTION_REFUSED"
    assert [c["code"] for c in error["extensions"]["checks"]] == ["PROVENANCE_INCOMPLETE"]
    assert await conn.fetchval("select count(*) from alias_moves") == 0
    refused = await api.gql(SET, {"v": "m-v1"})
    assert refused["errors"][0]["extensions"]["checks"] == [
        {"code": "BELOW_THRESHOLD", "metric": "auc", "wanted": 0.9, "got": 0.8,
         "message": "auc is 0.8, the gate wants 0.9 or better"},
    ]  # fmt: skip


SHORT = "INSUFFICIENT_IMPROVEMENT"
GATES = [
    # gate, held, target, failed check codes
    ([{"metric": "auc", "threshold": 0.8}], None, "m-v1", []),
    ([{"metric": "auc", "minImprovement": 0.05}], None, "m-v1", []),  # nothing held yet
    ([{"metric": "auc", "minImprovement": 0.05}], "m-v1", "m-v2", [SHORT]),
    ([{"metric": "auc", "minImprovement": 0.03}], "m-v1", "m-v2", []),  # exactly 0.03 in decimal
    ([{"metric": "auc", "minRelativeImprovement": 0.05}], "m-v1", "m-v2", [SHORT]),
    ([{"metric": "auc", "minRelativeImprovement": 0.03}], "m-v1", "m-v2", []),
    ([{"metric": "rmse", "minImprovement": 0.0}], "m-v1", "m-v2", [SHORT]),  # lower is better
    ([{"metric": "rmse", "threshold": 0.305}], None, "m-v2", ["BELOW_THRESHOLD"]),
    ([{"metric": "f1"}], None, "m-v1", ["METRIC_MISSING"]),
]  # fmt: skip


@pytest.mark.parametrize(("gate", "held", "target", "failed"), GATES)
async def test_the_gate_table(api, conn, gate, held, target, failed):
    await lineage(conn)
    await protect(api, conn, gate)
    if held:
        await api.gql(SET, {"v": held, "f": True, "r": "setup"})  # admin, forced if need be
    await use(api, conn, "promote")
    body = await api.gql(SET, {"v": target})
    if failed:
        assert [c["code"] for c in body["errors"][0]["extensions"]["checks"]] == failed
    else:
        assert body["data"] == {"setAlias": {"id": target}}


@pytest.mark.parametrize(
    ("scope", "force", "code"),
    [
        ("write", False, "FORBIDDEN"),  # a protected alias needs promote
        ("promote", True, "FORBIDDEN"),  # forcing needs admin
        ("admin", False, "PROMOTION_REFUSED"),  # admin too passes the gate unless forcing
        ("admin", True, None),
    ],
)
async def test_scopes_and_forcing(api, conn, scope, force, code):
    await lineage(conn)
    await protect(api, conn, [])
    await use(api, conn, scope)
    body = await api.gql(SET, {"v": "m-v3", "f": force, "r": "hotfix, reviewed"})
    if code:
        assert body["errors"][0]["extensions"]["code"] == code
        assert await conn.fetchval("select count(*) from alias_moves") == 0
    else:
        assert body["data"] == {"setAlias": {"id": "m-v3"}}
        assert await conn.fetchval("select forced from alias_moves") is True


async def test_a_forced_move_needs_a_reason(api, conn):
    await lineage(conn)
    await protect(api, conn, [])
    body = await api.gql(SET, {"v": "m-v3", "f": True, "r": " "})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}


async def test_an_unprotected_alias_moves_with_write_and_unprotecting_lifts_the_gate(api, conn):
    await lineage(conn)
    await use(api, conn, "write")
    first = await api.gql(SET, {"v": "m-v3"})
    assert first.get("data") == {"setAlias": {"id": "m-v3"}}, first
    await protect(api, conn, [])
    await use(api, conn, "write")
    assert (await api.gql(SET, {"v": "m-v2"}))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await use(api, conn, "admin")
    lifted = await api.gql('mutation { unprotectAlias(lineageId: "*", alias: "production") }')
    assert lifted["data"] == {"unprotectAlias": True}
    await use(api, conn, "write")
    assert (await api.gql(SET, {"v": "m-v2"}))["data"] == {"setAlias": {"id": "m-v2"}}


def test_failed_checks_compare_in_decimal():
    held = bare_model("a-v1", {"auc": 0.823})
    target = bare_model("a-v2", {"auc": 0.854})
    gate = [GateMetric("auc", min_improvement=0.031)]
    assert promotion.failed_checks(target, held, gate, False, {}) == []
    assert [c.code for c in promotion.failed_checks(target, None, [], True, {})] == ["ARCHIVED"]


async def test_curation_after_promotion_keeps_the_alias_and_shows_the_gate_failing(api, conn):
    await lineage(conn)
    await protect(api, conn, [{"metric": "auc", "threshold": 0.8}])
    await api.gql(SET, {"v": "m-v2"})
    read = """{ aliases(lineageId: "m") { alias version { id } protected passes
                  gate { metric threshold } checks { code } } }"""
    assert (await api.data(read))["aliases"] == [
        {"alias": "production", "version": {"id": "m-v2"}, "protected": True, "passes": True,
         "gate": [{"metric": "auc", "threshold": 0.8}], "checks": []},
    ]  # fmt: skip
    removed = await api.gql(
        """mutation { removeLinks(id: "m-v2", links: [{type: TRAINED_ON, target: "m-data"}]) {
             id } }"""
    )
    assert "errors" not in removed, removed
    (after,) = (await api.data(read))["aliases"]
    assert after["version"] == {"id": "m-v2"}  # the alias stays: deployments must not break
    assert (after["passes"], after["checks"]) == (False, [{"code": "PROVENANCE_INCOMPLETE"}])


async def test_rest_moves_an_alias_and_refuses_a_promotion_with_409_and_the_checks(api, conn):
    await lineage(conn)
    await protect(api, conn, [{"metric": "auc", "threshold": 0.9}])
    await use(api, conn, "promote")
    path = "/api/models/m/aliases/production"
    refused = await api.client.put(path, json={"version_id": "m-v2", "reason": "release"})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "PROMOTION_REFUSED"
    assert [c["code"] for c in error["checks"]] == ["BELOW_THRESHOLD"]
    await use(api, conn, "admin")
    forced = await api.client.put(
        path, json={"version_id": "m-v2", "reason": "accepted risk", "force": True}
    )
    assert forced.json() == {"lineage_id": "m", "alias": "production", "version_id": "m-v2"}
    # A REST write answers with its commit's position as GraphQL does; a refused one has none.
    assert positions.parse(forced.headers[positions.HEADER]) > 0
    assert positions.HEADER not in refused.headers
    listed = (await api.client.get("/api/models/m/aliases")).json()
    assert listed["aliases"] == [
        {"alias": "production", "version_id": "m-v2", "protected": True,
         "gate": [{"metric": "auc", "threshold": 0.9}], "passes": False,
         "checks": [{"code": "BELOW_THRESHOLD", "metric": "auc", "wanted": 0.9, "got": 0.83,
                     "message": "auc is 0.83, the gate wants 0.9 or better"}]},
    ]  # fmt: skip
    gone = await api.client.delete(path, params={"reason": "retired"})
    assert gone.json() == {"lineage_id": "m", "alias": "production", "removed_version_id": "m-v2"}
    form = await api.client.put(path, content=b"version_id=m-v1")
    assert form.status_code == 415


async def test_an_archived_version_cannot_be_promoted(api, conn):
    await lineage(conn)
    await protect(api, conn, [])
    archived = await api.gql('mutation { archiveVersion(id: "m-v2", reason: "superseded") { id } }')
    assert "errors" not in archived, archived
    await use(api, conn, "promote")
    body = await api.gql(SET, {"v": "m-v2"})
    assert [c["code"] for c in body["errors"][0]["extensions"]["checks"]] == ["ARCHIVED"]
