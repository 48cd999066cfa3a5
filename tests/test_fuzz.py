"""Property-based fuzzing of /graphql and the REST shims with schemathesis (issue 7, hostile input).

schemathesis builds requests from the schemas the app itself serves (GraphQL introspection at
/graphql, the OpenAPI 3.1 document at /api/openapi.json) and sends them through the ASGI app, with
no network: its in-process client runs the app's lifespan once, on its own event-loop thread, and
gives every request a copy of the lifespan state, as a server does. The demo catalog is loaded
first; its ids, SQL and LIKE metacharacters and the edges of every input rule are generation
dictionaries, so requests reach real rows and real validation as well as random strings.

Every operation gets valid (positive) and schema-violating (negative) input, deterministically: a
fixed seed and no example database. The verdict is 0 server errors and 0 responses that break the
documented contract. A failure is shrunk to a minimal request and collected; the test fails at the
end with all of them. Run with -s to see what each operation was sent and answered.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from app.demo.load import load_if_empty
from app.http.openapi import DOCUMENT
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from tests.factories import make_token
from tests.http import Api

SEED = 20_260_007
GRAPHQL_QUERY_EXAMPLES = 20  # per Query field (12 today)
GRAPHQL_MUTATION_EXAMPLES = 20  # per Mutation field (8 today)
REST_EXAMPLES = 100  # per REST operation

# Offered for every String and ID argument and every string parameter, next to the catalog's ids.
HOSTILE_STRINGS = [
    "%",
    "_",
    "\\",
    "%_%",
    "' or '1'='1",
    "'; drop table artifacts; --",
    "$1",
    ",",
    " ",
    "\x00",
    "model-biophys-microglia\x00",
    "model-biophys-microglia\n",
    "x" * 201,
    "model-biophys-microglia-v0",
    "model-biophys-microglia-v99999999999",
    "😀",
    "\u202e",
]
# Names a client makes up: valid ones first (Hypothesis favours early entries), then each rule's
# edges.
LINEAGE_IDS = [
    "fuzz-lineage",
    "fuzz.lineage_2",
    "model-biophys-microglia",
    "dataset-cytokine-panel",
    "x" * 119,
    "x" * 120,
    "fuzz-lineage\n",
    "fuzz-lineage-v2",
    "-fuzz",
    "fuzz lineage",
    "\x00",
]
IDEMPOTENCY_KEYS = ["fuzz-key", "\x00", "fuzz-key\x00", "x" * 200, "x" * 201, "", " "]
TOKEN_NAMES = ["fuzz-token", "\x00", "fuzz-token\n", "x" * 64, "x" * 65, "-fuzz", "fuzz token"]
# Random integers mostly miss the bounds (limit 1..100, offset, maxDepth): offer the edges.
INTEGERS = [-1, 0, 1, 2, 3, 5, 10, 20, 99, 100, 101, 10_000, 2**31 - 1]
NUMBERS = [-0.5, 0, 0.3, 0.81, 1, 1.5, 1e300]

GRAPHQL_BINDINGS = {
    # Most random Ints miss the paging bounds: make sure many lists are really read.
    "*.*.limit": {"dictionary": "limits", "probability": 0.7},
    "*.*.offset": {"dictionary": "offsets", "probability": 0.7},
    "*.*.maxDepth": {"dictionary": "depths", "probability": 0.7},
    "Mutation.*.idempotencyKey": {"dictionary": "idempotency-keys", "probability": 0.4},
    "Mutation.*.name": {"dictionary": "token-names", "probability": 0.5},
    "Mutation.*.input.lineageId": {"dictionary": "lineage-ids", "probability": 0.6},
}
REST_BINDINGS = {
    "query.ids": {"dictionary": "id-lists", "probability": 0.7},
    # Mostly none (empty means none), so that enough compares get through to their answer.
    "query.baseline": {"dictionary": "baselines", "probability": 0.8},
    "path.id": {"dictionary": "model-ids", "probability": 0.3},
    "path.lineage": {"dictionary": "model-lineages", "probability": 0.5},
}
REST_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

GRAPHQL_RESPONSE = "application/graphql-response+json"
ACCEPT_HEADERS = [
    None,
    "application/json",
    GRAPHQL_RESPONSE,
    f"{GRAPHQL_RESPONSE}, application/json",
]
# What an error message must never show.
LEAKS = ("Traceback", 'File "', str(PROJECT_ROOT), "mreg_")


def nested(depth: int) -> dict[str, Any]:
    """{"a": {"a": ... 1}}, ``depth`` objects deep."""
    value: dict[str, Any] = {"a": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


# Minimal inputs once answered with INTERNAL_SERVER_ERROR, found while fuzzing: always sent.
KNOWN_HOSTILE: list[tuple[str, dict[str, Any] | None]] = [
    ('mutation { revokeToken(name: "\\u0000") }', None),
    ('mutation { createToken(name: "fuzz-token\\n", scopes: [READ]) { name } }', None),
    (
        'mutation { registerDataset(input: {lineageId: "fuzz-lineage\\n", title: "t"}) { id } }',
        None,
    ),
    (
        'mutation { registerModel(input: {lineageId: "fuzz-model\\n", title: "t",'
        " family: STATISTICAL, rawQualityScore: 0.5}) { id } }",
        None,
    ),
    (
        'mutation { registerDataset(input: {lineageId: "fuzz-a", title: "t"},'
        ' idempotencyKey: "\\u0000") { id } }',
        None,
    ),
    (
        'mutation { addLinks(id: "analysis-microglia-ode-fit", links: [],'
        ' idempotencyKey: "key\\u0000") { id } }',
        None,
    ),
    (
        'mutation { registerModel(input: {lineageId: "fuzz-big", title: "t", family: STATISTICAL,'
        ' rawQualityScore: 0.5, parameterCount: 99999999999999999999}, idempotencyKey: "big") {'
        " id } }",
        None,
    ),
    (
        'mutation($m: JSON) { registerDataset(input: {lineageId: "fuzz-deep", title: "t",'
        ' metadata: $m}, idempotencyKey: "deep") { id } }',
        {"m": nested(300)},
    ),
]


@dataclass
class Target:
    app: Starlette
    admin_token: str
    ids: list[str]


@dataclass
class Tally:
    """What one operation was sent and what it answered."""

    calls: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, case: Case, outcome: str) -> None:
        self.calls += 1
        assert case.meta is not None
        self.modes[case.meta.generation.mode.value] += 1
        self.outcomes[outcome] += 1

    def __str__(self) -> str:
        modes = ", ".join(f"{k} {v}" for k, v in sorted(self.modes.items()))
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return f"{self.calls} requests ({modes}): {outcomes}"


@pytest.fixture
async def target(conn, pg_dsn: str) -> AsyncIterator[Target]:
    """The real app over the demo catalog; schemathesis' ASGI client runs its lifespan."""
    await load_if_empty(conn)
    token = await make_token(conn, "admin", name="fuzz-admin")
    rows = await conn.fetch("select id, lineage_id from artifacts order by id")
    ids = sorted({r["id"] for r in rows} | {r["lineage_id"] for r in rows})
    app = create_app(Settings.from_env({"DB_POOL_MIN": "1"}), pg_dsn)
    try:
        yield Target(app, token, ids)
    finally:
        # A started lifespan lives until exit: end it, closing its pool, while PostgreSQL runs.
        schemathesis_asgi.shutdown_lifespans()


def fuzz_config(ids: list[str], parameters: dict[str, Any]) -> schemathesis.Config:
    """The fixed seed and the dictionaries that generated values are drawn from."""
    models = [i for i in ids if i.startswith("model-")]
    lineages = [i for i in models if not re.search(r"-v[0-9]+$", i)]
    id_lists = [
        # Two lineages are always two models (a lineage and its latest version are one);
        # most of the list, and first (a deterministic draw favours the first), so that
        # enough generated compares find their models.
        *(f"{a}, {b}" for a, b in itertools.combinations(lineages, 2)),
        *(f"{a},{b}" for a, b in itertools.pairwise(models)),
        ",".join(models[:3]),
        ",".join(models[:10]),
        ",".join(models[:11]),
        f"{models[0]},{models[0]}",
        f"{models[0]},no-such-model",
        f"{models[0]},,{models[1]}",
        f"{models[0]},{ids[0]}",
    ]
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "deterministic": True,
                "database": "none",
                "dictionaries": {
                    "string": {"dictionary": "catalog", "probability": 0.5},
                    "integer": {"dictionary": "integers", "probability": 0.6},
                    "number": {"dictionary": "numbers", "probability": 0.5},
                },
            },
            "dictionaries": {
                "catalog": {"values": ids + HOSTILE_STRINGS},
                "integers": {"values": INTEGERS},
                "numbers": {"values": NUMBERS},
                "lineage-ids": {"values": LINEAGE_IDS},
                "idempotency-keys": {"values": IDEMPOTENCY_KEYS},
                "token-names": {"values": TOKEN_NAMES},
                "limits": {"values": [1, 2, 5, 20, 100]},
                "offsets": {"values": [0, 1, 5, 30]},
                "depths": {"values": [0, 1, 2, 3, 10]},
                "model-ids": {"values": models},
                "model-lineages": {"values": lineages},
                "id-lists": {"values": id_lists},
                "baselines": {"values": ["", "", "", models[0]]},
            },
            "parameters": parameters,
        }
    )


def both_modes(operation: Any) -> st.SearchStrategy[Case]:
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def run_fuzz(
    name: str,
    strategy: st.SearchStrategy[tuple[Case, dict[str, str]]],
    examples: int,
    send: Callable[[Case, dict[str, str]], str],
    tallies: dict[str, Tally],
    findings: list[str],
) -> None:
    """Send ``examples`` generated requests; a failure is shrunk and recorded, not raised."""
    tally = tallies.setdefault(name, Tally())

    @seed(SEED)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        print_blob=False,
    )
    @given(example=strategy)
    def fuzz(example: tuple[Case, dict[str, str]]) -> None:
        case, headers = example
        tally.add(case, send(case, headers))

    try:
        fuzz()
    except Exception as exc:
        findings.append(f"{name}: {type(exc).__name__}: {exc}")


def _no_constants(value: str) -> Any:
    raise ValueError(f"{value} is not JSON")


def graphql_problems(status: int, content_type: str, text: str, accept: str | None) -> list[str]:
    """Why a /graphql answer breaks the contract (GraphQL over HTTP, coded errors), if it does."""
    if status >= 500:
        return [f"server error {status}"]
    wants_graphql_response = GRAPHQL_RESPONSE in (accept or "")
    media_type = content_type.split(";")[0].strip()
    expected_type = GRAPHQL_RESPONSE if wants_graphql_response else "application/json"
    problems = [] if media_type == expected_type else [f"content type {content_type!r}"]
    try:
        body = json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        return [*problems, f"body is not strict JSON: {exc}"]
    if not isinstance(body, dict):
        return [*problems, "body is not a JSON object"]
    if set(body) - {"data", "errors", "extensions"}:
        problems.append(f"unexpected top-level keys {sorted(body)}")
    if "data" in body and not isinstance(body["data"], dict | None):
        problems.append("data is neither an object nor null")
    if status == 200 and "data" not in body:
        problems.append("200 without a data key")
    if status != 200 and wants_graphql_response and "data" in body:
        problems.append(f"{status} with a data key")
    errors = body.get("errors")
    if errors is None:
        if body.get("data") is None:
            problems.append("neither data nor errors")
        if status != 200:
            problems.append(f"{status} without errors")
        return problems
    if not isinstance(errors, list) or not errors:
        return [*problems, "errors is not a non-empty list"]
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            problems.append(f"malformed error {error!r}")
            continue
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str):
            problems.append(f"error without extensions.code: {error!r}")
        elif code == "INTERNAL_SERVER_ERROR":
            problems.append(f"unexpected failure, masked: {error!r}")
        if "Cannot return null for non-nullable field" in error["message"]:
            problems.append(f"null in a non-null field: {error!r}")
        if any(leak in error["message"] for leak in LEAKS):
            problems.append(f"error shows internals: {error!r}")
    return problems


def graphql_outcome(status: int, text: str) -> str:
    body = json.loads(text)
    codes = sorted({(e.get("extensions") or {}).get("code") for e in body.get("errors") or []})
    return f"{status} {'/'.join(codes)}" if codes else f"{status} data"


def report(tallies: dict[str, Tally], started: float) -> None:
    for name, tally in sorted(tallies.items()):
        print(f"{name}: {tally}")
    total = sum(t.calls for t in tallies.values())
    print(f"{total} requests in {time.monotonic() - started:.1f} s")


def test_graphql_fuzz(target: Target) -> None:
    """Every Query and Mutation field (mutations as admin): coded errors, never a failure."""
    started = time.monotonic()
    config = fuzz_config(target.ids, GRAPHQL_BINDINGS)
    schema = schemathesis.graphql.from_asgi("/graphql", target.app, config=config)
    auth = {"authorization": f"Bearer {target.admin_token}"}
    tallies: dict[str, Tally] = {}
    findings: list[str] = []

    def send(case: Case, headers: dict[str, str]) -> str:
        response = case.call(headers=headers)
        content_type = response.headers.get("content-type", [""])[0]
        problems = graphql_problems(
            response.status_code, content_type, response.text, headers.get("accept")
        )
        assert not problems, (
            f"{problems}\naccept: {headers.get('accept')}\nquery: {case.body}\n"
            f"answer {response.status_code}: {response.text[:2000]}"
        )
        return graphql_outcome(response.status_code, response.text)

    headers = st.sampled_from(ACCEPT_HEADERS).map(
        lambda accept: auth if accept is None else {**auth, "accept": accept}
    )
    planned = 0
    for root, examples in (
        ("Query", GRAPHQL_QUERY_EXAMPLES),
        ("Mutation", GRAPHQL_MUTATION_EXAMPLES),
    ):
        for name in schema[root]:
            strategy = st.tuples(both_modes(schema[root][name]), headers)
            run_fuzz(f"{root}.{name}", strategy, examples, send, tallies, findings)
            planned += examples

    report(tallies, started)
    assert not findings, "\n\n".join(findings)
    assert len(schema["Query"]) >= 12 and len(schema["Mutation"]) >= 8
    assert sum(t.calls for t in tallies.values()) >= planned
    assert sum(t.modes["negative"] for t in tallies.values()) >= planned // 4
    # Enough generated operations get past validation to exercise the resolvers.
    assert sum(t.outcomes["200 data"] for t in tallies.values()) >= planned // 10


def test_rest_fuzz(target: Target) -> None:
    """Every REST operation: only documented statuses, content types and bodies."""
    started = time.monotonic()
    config = fuzz_config(target.ids, REST_BINDINGS)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", target.app, config=config)
    tallies: dict[str, Tally] = {}
    findings: list[str] = []

    def send(case: Case, headers: dict[str, str]) -> str:
        response = case.call_and_validate(headers=headers, checks=REST_CHECKS)
        leaks = [leak for leak in LEAKS if leak in response.text]
        assert not leaks, f"the answer shows {leaks}: {response.text[:2000]}"
        assert case.meta is not None
        positive = case.meta.generation.mode is GenerationMode.POSITIVE
        if positive and response.status_code == 400 and case.method == "GET":
            # The document states every limit: a request it allows is refused only for the
            # rules it cannot express in a compare: a model named twice (by version and
            # lineage ids alike), an id of another kind of artifact, a baseline not compared.
            error = response.json()["error"]
            # Nor a filter's grammar, nor which cursors the list gave, nor that a cursor and
            # an offset exclude each other.
            if case.path == "/api/models":
                grammar = error["code"] in ("BAD_FILTER", "FILTER_TOO_COMPLEX", "BAD_CURSOR")
                assert grammar or error.get("parameter") == "offset", f"refused: {response.text}"
                return str(response.status_code)
            assert case.path == "/api/models/compare", f"refused: {response.text}"
            assert (
                "distinct models, got 1" in error["message"]
                or error["code"] == "WRONG_KIND"
                or error.get("parameter") == "baseline"  # not one of the compared
            ), f"refused: {response.text}"
        return str(response.status_code)

    # Writes as admin, so they reach their checks rather than stop at the token; reads without.
    admin = {"authorization": f"Bearer {target.admin_token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        headers = {} if operation.method.upper() == "GET" else admin
        strategy = st.tuples(both_modes(operation), st.just(headers))
        run_fuzz(operation.label, strategy, REST_EXAMPLES, send, tallies, findings)

    report(tallies, started)
    assert not findings, "\n\n".join(findings)
    operations = {f"{m.upper()} {path}" for path, ops in DOCUMENT["paths"].items() for m in ops}
    assert set(tallies) == operations
    for name, tally in tallies.items():
        assert tally.calls >= REST_EXAMPLES, tallies
        # A write mostly names no version of its lineage; a read must mostly answer.
        # An OpenLineage event made from the document's bare object schema is mostly refused.
        writes = ("PUT", "DELETE", "POST /api/v1/lineage")
        assert name.startswith(writes) or tally.outcomes["200"] >= 10, tallies


async def test_graphql_known_hostile_inputs(api: Api, conn) -> None:
    """Past findings, minimised, as fixed examples: coded errors, not failures."""
    await load_if_empty(conn)
    auth = {"authorization": f"Bearer {await make_token(conn, 'admin', name='fuzz-admin')}"}
    problems = {}
    for query, variables in KNOWN_HOSTILE:
        body = {"query": query, "variables": variables or {}}
        r = await api.client.post("/graphql", json=body, headers=auth)
        found = graphql_problems(r.status_code, r.headers.get("content-type", ""), r.text, None)
        if found:
            problems[query] = found
    assert not problems, json.dumps(problems, indent=1)
