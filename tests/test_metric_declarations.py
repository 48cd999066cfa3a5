"""One direction per metric name, registry-wide: declared with declareMetric, else inferred
from the name. Compare, the promotion gate and every metric's `better` follow it on both read
paths; a model's own registered direction decides nothing and, where it disagrees, warns."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_compliant_model, make_model, make_token
from tests.http import Api, running_app
from tests.test_graphql_batching import app_statements

DECLARE = """mutation($n: String!, $d: MetricDirection!, $t: String! = "") {
  declareMetric(name: $n, direction: $d, description: $t) {
    name direction decided declared description declaredBy } }"""
COMPARE = """query($ids: [ID!]!) { compareModels(ids: $ids) {
  metrics { name better bestModelIds leaderModelIds } } }"""
METRICS = "query($id: ID!) { model(id: $id) { evaluationMetrics { name value better } } }"
LIST = """query($s: String, $l: Int! = 20, $o: Int! = 0) {
  metrics(search: $s, limit: $l, offset: $o) {
    total items { name direction decided declared description declaredAt declaredBy } } }"""
# Each model says bias is higher-is-better, which is also what its name suggests.
OWN = {"bias": "higher"}


async def post(api: Api, query: str, variables: dict[str, Any], token: str | None = None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    r = await api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return r.status_code, r.json()


def code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


async def declare(api: Api, token: str, name: str, direction: str, text: str = "") -> Any:
    status, body = await post(api, DECLARE, {"n": name, "d": direction, "t": text}, token)
    assert status == 200 and "errors" not in body, body
    return body["data"]["declareMetric"]


async def two_models(conn) -> None:
    await make_model(
        conn, "a", evaluation_metrics={"bias": 0.1, "rmse": 0.3}, metric_directions=OWN
    )
    await make_model(
        conn, "b", evaluation_metrics={"bias": 0.5, "rmse": 0.2}, metric_directions=OWN
    )


def rows(data: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {r["name"]: (r["better"], r["bestModelIds"]) for r in data["compareModels"]["metrics"]}


@pytest.mark.parametrize("fast", [True, False], ids=["compiled", "resolvers"])
async def test_compare_picks_the_best_by_the_declared_direction_over_the_models_own(
    db, pg_dsn, conn, fast
):
    await two_models(conn)
    writer = await make_token(conn, "write")
    env = {"REGISTRY_FAST_PATH": "1" if fast else "0"}
    async with running_app(pg_dsn, env) as api:
        ids = {"ids": ["a", "b"]}
        before = await api.data(COMPARE, ids)
        assert rows(before) == {"bias": ("HIGHER", ["b-v1"]), "rmse": ("LOWER", ["b-v1"])}
        await declare(api, writer, "bias", "LOWER", "distance from zero")
        api.sql.reset()
        after = await api.data(COMPARE, ids)
        if fast:
            assert len(app_statements(api.sql.statements)) == 1
        assert rows(after) == {"bias": ("LOWER", ["a-v1"]), "rmse": ("LOWER", ["b-v1"])}
        metrics = await api.data(METRICS, {"id": "a"})
        assert metrics["model"]["evaluationMetrics"] == [
            {"name": "bias", "value": 0.1, "better": "LOWER"},
            {"name": "rmse", "value": 0.3, "better": "LOWER"},
        ]
        rest = (await api.client.get("/api/models/compare?ids=a,b")).json()
        assert {r["name"]: (r["better"], r["best_model_ids"]) for r in rest["metrics"]} == {
            "bias": ("lower", ["a-v1"]),
            "rmse": ("lower", ["b-v1"]),
        }
    # The direction each model was registered with is kept as it was given.
    assert await conn.fetchval("select metric_directions from artifacts where id = 'a-v1'") == OWN


READ_BOTH = """query($ids: [ID!]!, $id: ID!) {
  compareModels(ids: $ids) { baselineModelId
    metrics { name better verdict bestModelIds cells { modelId value best delta } } }
  model(id: $id) { id evaluationMetrics { name value better } }
  models(sort: {field: CREATED_AT, direction: ASC}) {
    items { id evaluationMetrics { name better } } }
}"""


async def test_both_read_paths_agree_in_one_compiled_statement(db, pg_dsn, conn):
    await two_models(conn)
    await make_model(conn, "c", evaluation_metrics={"mean_set_size": 4, "loss": 2})
    writer = await make_token(conn, "write")
    variables = {"ids": ["a", "b", "c"], "id": "c"}
    answers = []
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            if fast == "1":
                await declare(api, writer, "bias", "LOWER")
                await declare(api, writer, "mean_set_size", "LOWER")
                await declare(api, writer, "loss", "HIGHER")  # against its name, on purpose
            api.sql.reset()
            answers.append(await api.data(READ_BOTH, variables))
            if fast == "1":
                assert len(app_statements(api.sql.statements)) == 1
    assert answers[0] == answers[1]
    better = {m["name"]: m["better"] for m in answers[0]["model"]["evaluationMetrics"]}
    assert better == {"loss": "HIGHER", "mean_set_size": "LOWER"}


async def test_a_declaration_made_through_one_process_is_seen_by_the_next_request_of_another(
    db, pg_dsn, conn
):
    await two_models(conn)
    writer = await make_token(conn, "write")
    async with running_app(pg_dsn) as one, running_app(pg_dsn) as other:
        for api in (one, other):  # each process has compiled the statement and loaded
            assert rows(await api.data(COMPARE, {"ids": ["a", "b"]}))["bias"][1] == ["b-v1"]
        await declare(one, writer, "bias", "LOWER")
        for path in ("1", "0"):
            async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": path}) as third:
                assert rows(await third.data(COMPARE, {"ids": ["a", "b"]}))["bias"][1] == ["a-v1"]
        assert rows(await other.data(COMPARE, {"ids": ["a", "b"]}))["bias"][1] == ["a-v1"]
        listed = await other.data(LIST, {"s": "bias"})
        assert listed["metrics"]["items"][0]["decided"] == "DECLARED"


SET = """mutation($v: ID!) {
  setAlias(lineageId: "m", alias: "production", versionId: $v, reason: "release") { id } }"""
PROTECT = """mutation($g: [GateMetricInput!]!) {
  protectAlias(lineageId: "*", alias: "production", gate: $g) }"""
GATES = [
    # gate, direction declared for bias (None: inferred, higher), failed check codes
    ([{"metric": "bias", "threshold": 0.3}], None, []),
    ([{"metric": "bias", "threshold": 0.3}], "LOWER", ["BELOW_THRESHOLD"]),
    ([{"metric": "bias", "minImprovement": 0.1}], None, []),
    ([{"metric": "bias", "minImprovement": 0.1}], "LOWER", ["INSUFFICIENT_IMPROVEMENT"]),
    ([{"metric": "bias", "minImprovement": 0.1}], "HIGHER", []),
    ([{"metric": "rmse", "minImprovement": 0}], None, []),  # inferred lower: 0.2 beats 0.3
    ([{"metric": "rmse", "minImprovement": 0}], "HIGHER", ["INSUFFICIENT_IMPROVEMENT"]),
]  # fmt: skip


@pytest.mark.parametrize(("gate", "declared", "failed"), GATES)
async def test_the_gate_follows_the_registry_direction(api, conn, gate, declared, failed):
    # m-v1 holds the alias (bias 0.2, rmse 0.3); m-v2 would take it (bias 0.4, rmse 0.2). Both
    # say bias is lower-is-better and rmse higher: they decide nothing.
    own = {"bias": "lower", "rmse": "higher"}
    for bias, rmse in ((0.2, 0.3), (0.4, 0.2)):
        await make_compliant_model(
            conn, "m", evaluation_metrics={"bias": bias, "rmse": rmse}, metric_directions=own
        )
    admin = await make_token(conn, "admin")
    assert (await post(api, SET, {"v": "m-v1"}, admin))[1]["data"] == {"setAlias": {"id": "m-v1"}}
    if declared:
        await declare(api, admin, gate[0]["metric"], declared)
    assert (await post(api, PROTECT, {"g": gate}, admin))[1]["data"] == {"protectAlias": True}
    _, body = await post(api, SET, {"v": "m-v2"}, admin)
    if failed:
        assert [c["code"] for c in body["errors"][0]["extensions"]["checks"]] == failed
    else:
        assert body["data"] == {"setAlias": {"id": "m-v2"}}
    # What the gate says of the version held now (its thresholds) reads the same direction:
    # under a bias threshold of 0.3, m-v1's 0.2 passes only lower-is-better, m-v2's 0.4 only
    # higher-is-better.
    _, aliases = await post(api, '{ aliases(lineageId: "m") { version { id } passes } }', {})
    held = "m-v1" if failed else "m-v2"
    assert aliases["data"]["aliases"] == [{"version": {"id": held}, "passes": True}]


REGISTER = """mutation($input: RegisterModelInput!) { registerModel(input: $input) {
  id metricWarnings { code message metric declared registry decided } } }"""


def model_input(lineage: str, directions: dict[str, str]) -> dict[str, Any]:
    return {
        "lineageId": lineage,
        "title": lineage,
        "family": "STATISTICAL",
        "rawQualityScore": 0.5,
        "evaluationMetrics": {"bias": 0.1, "rmse": 0.2, "accuracy": 0.9},
        "metricDirections": directions,
    }


async def test_a_per_model_direction_the_registry_contradicts_gets_a_warning(api, conn):
    writer = await make_token(conn, "write")
    await declare(api, writer, "bias", "LOWER")
    own = {"bias": "higher", "rmse": "lower", "accuracy": "lower"}
    _, body = await post(api, REGISTER, {"input": model_input("w", own)}, writer)
    found = body["data"]["registerModel"]
    assert found["id"] == "w-v1"
    assert [{k: v for k, v in w.items() if k != "message"} for w in found["metricWarnings"]] == [
        {"code": "METRIC_DIRECTION_CONFLICT", "metric": "accuracy", "declared": "LOWER",
         "registry": "HIGHER", "decided": "INFERRED"},
        {"code": "METRIC_DIRECTION_CONFLICT", "metric": "bias", "declared": "HIGHER",
         "registry": "LOWER", "decided": "DECLARED"},
    ]  # fmt: skip
    assert "bias was registered as higher-is-better" in found["metricWarnings"][1]["message"]
    stored = await conn.fetchval("select metric_directions from artifacts where id = 'w-v1'")
    assert stored == own
    # A new version agreeing with the registry has none; the warnings read the registry now.
    agreeing = {"bias": "lower", "rmse": "lower"}
    _, again = await post(api, REGISTER, {"input": model_input("w", agreeing)}, writer)
    assert again["data"]["registerModel"] == {"id": "w-v2", "metricWarnings": []}
    read = await api.data('{ model(id: "w-v1") { metricWarnings { metric } } }')
    assert read["model"]["metricWarnings"] == [{"metric": "accuracy"}, {"metric": "bias"}]


async def test_write_declares_and_only_admin_changes_a_declared_direction(api, conn):
    reader = await make_token(conn, "read")
    writer = await make_token(conn, "write", name="writer")
    admin = await make_token(conn, "admin", name="boss")
    variables = {"n": "bias", "d": "LOWER"}
    assert code((await post(api, DECLARE, variables))[1]) == "UNAUTHENTICATED"
    assert code((await post(api, DECLARE, variables, reader))[1]) == "FORBIDDEN"
    assert await conn.fetchval("select count(*) from metric_declarations") == 0
    first = await declare(api, writer, "bias", "LOWER", "closer to 0 is better")
    assert first == {"name": "bias", "direction": "LOWER", "decided": "DECLARED",
                     "declared": True, "description": "closer to 0 is better",
                     "declaredBy": "writer"}  # fmt: skip
    # The same direction again: write is enough, and the description changes.
    again = await declare(api, writer, "bias", "LOWER", "absolute bias")
    assert again["description"] == "absolute bias"
    _, refused = await post(api, DECLARE, {"n": "bias", "d": "HIGHER"}, writer)
    assert code(refused) == "FORBIDDEN"
    assert "admin" in refused["errors"][0]["message"]
    assert await conn.fetchval("select direction from metric_declarations") == "lower"
    flipped = await declare(api, admin, "bias", "HIGHER")
    assert (flipped["direction"], flipped["declaredBy"]) == ("HIGHER", "boss")
    audit = await conn.fetch(
        "select actor, action, artifact_id, before, after from audit_log "
        "where metric_name = 'bias' order by id"
    )
    assert [(r["actor"], r["action"], r["artifact_id"]) for r in audit] == [
        ("writer", "declare_metric", None)] * 2 + [("boss", "declare_metric", None)]  # fmt: skip
    assert audit[0]["before"] is None
    assert audit[2]["before"] == {"direction": "lower", "description": "absolute bias"}
    assert audit[2]["after"] == {"direction": "higher", "description": ""}


BAD = [
    ("", "x", "name"),
    ("m" * 101, "x", "name"),
    ("bi\x00as", "x", "name"),
    ("bias", "d" * 2001, "description"),
    ("bias", "nul \x00 here", "description"),
]


@pytest.mark.parametrize(("name", "text", "field"), BAD)
async def test_bad_declarations_get_coded_errors_and_write_nothing(api, conn, name, text, field):
    writer = await make_token(conn, "write")
    status, body = await post(api, DECLARE, {"n": name, "d": "LOWER", "t": text}, writer)
    assert status == 200
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await conn.fetchval("select count(*) from metric_declarations") == 0
    assert await conn.fetchval("select count(*) from audit_log") == 0


async def test_the_metric_list_holds_declared_and_used_names_with_their_directions(api, conn):
    for i in range(30):  # many models report the same names: each name is listed once
        await make_model(conn, f"m{i}", evaluation_metrics={"rmse": i, "Zeta": 1, "auc": 0.5})
    writer = await make_token(conn, "write", name="writer")
    await declare(api, writer, "auc", "HIGHER", "area under the ROC curve")
    await declare(api, writer, "unused_bias", "LOWER")
    page = (await api.data(LIST, {}))["metrics"]
    assert page["total"] == 4
    items = page["items"]
    assert [m["name"] for m in items] == ["Zeta", "auc", "rmse", "unused_bias"]  # by code point
    assert [(m["direction"], m["decided"], m["declared"]) for m in items] == [
        ("HIGHER", "INFERRED", False),
        ("HIGHER", "DECLARED", True),
        ("LOWER", "INFERRED", False),
        ("LOWER", "DECLARED", True),
    ]
    assert items[0]["description"] is None and items[0]["declaredAt"] is None
    assert (items[1]["description"], items[1]["declaredBy"]) == (
        "area under the ROC curve",
        "writer",
    )
    searched = (await api.data(LIST, {"s": "U", "l": 1, "o": 1}))["metrics"]
    assert (searched["total"], [m["name"] for m in searched["items"]]) == (2, ["unused_bias"])
    beyond = (await api.data(LIST, {"o": 10}))["metrics"]
    assert beyond == {"total": 4, "items": []}
    rest = (await api.client.get("/api/metrics")).json()
    assert rest["total"] == 4
    assert [
        (m["name"], m["direction"], m["decided"], m["description"]) for m in rest["metrics"]
    ] == [
        (m["name"], m["direction"].lower(), m["decided"].lower(), m["description"]) for m in items
    ]
    assert rest["metrics"][1]["declared_at"] == items[1]["declaredAt"]
    found = (await api.client.get("/api/metrics?search=rms&limit=1")).json()
    assert [m["name"] for m in found["metrics"]] == ["rmse"]


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"l": 0}, "limit"), ({"l": 101}, "limit"), ({"o": -1}, "offset"),
     ({"s": "x" * 201}, "search"), ({"s": "a\x00"}, "search")],
)  # fmt: skip
async def test_the_metric_list_refuses_bad_paging_and_search(api, variables, field):
    body = await api.gql(LIST, variables)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    rest_name = {"l": "limit", "o": "offset", "s": "search"}
    ((key, value),) = variables.items()
    r = await api.client.get("/api/metrics", params={rest_name[key]: value})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "BAD_USER_INPUT"


async def test_the_used_names_are_found_by_a_skip_scan_of_the_metric_index(conn):
    from app.repo.metric_declarations import _KNOWN

    await make_model(conn, "m", evaluation_metrics={"rmse": 1})
    await conn.execute("set enable_seqscan = off")  # a tiny table: ask for the index's plan
    try:
        plan = "\n".join(r[0] for r in await conn.fetch(f"explain {_KNOWN}", None, 20, 0))
    finally:
        await conn.execute("reset enable_seqscan")
    assert "Recursive Union" in plan
    assert "Index Only Scan using model_metrics_by_value" in plan
    assert "Seq Scan on model_metrics" not in plan
