"""Where the bytes are: URI and digest rules, round trips on both paths, lookups by digest,
the same content across versions, and bad input that writes nothing."""

from __future__ import annotations

import pytest

from app import locations
from app.errors import InvalidInput
from tests.factories import make_dataset, make_token
from tests.http import running_app

SHA = "sha256:" + "ab" * 32
OTHER_SHA = "sha256:" + "cd" * 32
MD5 = "md5:" + "0f" * 16

REGISTER_DATASET = """
mutation($input: RegisterDatasetInput!) {
  registerDataset(input: $input) { id uri digest sizeBytes }
}
"""
REGISTER_MODEL = """
mutation($input: RegisterModelInput!) {
  registerModel(input: $input) { id uri digest sizeBytes }
}
"""
READ = """
query($id: ID!) {
  dataset(id: $id) { id uri digest sizeBytes }
  models(limit: 5) { items { id uri digest sizeBytes } }
}
"""
BY_DIGEST = """
query($d: String!) { artifactsByDigest(digest: $d) { id kind } }
"""
SAME = "query($id: ID!) { dataset(id: $id) { sameContentAs { id } } }"


@pytest.mark.parametrize(
    "uri",
    [
        "s3://bucket/key.parquet",
        "gs://b/k",
        "file:///data/x.csv",
        "https://example.org/x",
        "hf://datasets/org/name",
        "abfss://c@a.dfs.core.windows.net/p",
        "az://c/p",
        "dbfs:/mnt/x",
        "runs:/0a1b/model",
        "models:/name/3",
        "mlflow-artifacts:/1/2/artifacts",
    ],
)
def test_known_schemes_are_accepted(uri):
    assert locations.check_uri(uri) == uri


@pytest.mark.parametrize(
    "uri",
    ["ftp://x/y", "s3://with space", "s3://tab\there", "s3://", "", "s3://" + "x" * 3000, "/x"],
)
def test_bad_uris_name_the_field(uri):
    with pytest.raises(InvalidInput) as caught:
        locations.check_uri(uri)
    assert caught.value.details["field"] == "uri"


def test_digests_are_normalised_and_know_their_bits():
    assert locations.normalise_digest("sha256:" + "AB" * 32) == SHA
    assert locations.normalise_digest("1A2b3C4d") == "mlflow:1a2b3c4d"
    assert locations.normalise_digest("blake3:" + "00" * 32) == "blake3:" + "00" * 32
    assert locations.bits(SHA) == 256
    assert locations.bits("sha1:" + "a" * 40) == 160
    assert locations.bits(MD5) == 128
    assert locations.bits("mlflow:1a2b3c4d") == 32
    assert locations.bits("xxh:" + "a" * 16) == 64


@pytest.mark.parametrize(
    "digest", ["sha256:abc", "SHA256:" + "a" * 64, "sha256:" + "g" * 64, "abc", ":ab", "md5:"]
)
def test_bad_digests_name_the_field(digest):
    with pytest.raises(InvalidInput) as caught:
        locations.normalise_digest(digest)
    assert caught.value.details["field"] == "digest"


def test_same_content_needs_equal_digests_of_at_least_128_bits():
    assert locations.same_content(SHA, SHA)
    assert locations.same_content(MD5, MD5)
    assert not locations.same_content(SHA, OTHER_SHA)
    assert not locations.same_content("mlflow:1a2b3c4d", "mlflow:1a2b3c4d")
    assert not locations.same_content("xxh:" + "a" * 16, "xxh:" + "a" * 16)
    assert not locations.same_content(None, None)


@pytest.fixture
async def writer(api, conn):
    token = await make_token(conn, "write", name="pipeline")
    api.client.headers["authorization"] = f"Bearer {token}"
    return api


def model_input(**changes) -> dict:
    return {"lineageId": "m", "title": "M", "family": "STATISTICAL", "rawQualityScore": 0.5}


async def test_round_trip_on_both_paths_in_one_statement(writer, conn, pg_dsn):
    stored = {"uri": "s3://b/train.parquet", "digest": SHA.upper().replace("SHA", "sha")}
    ds = await writer.data(
        REGISTER_DATASET,
        {"input": {"lineageId": "ds", "title": "D", **stored, "sizeBytes": 2**40}},
    )
    assert ds["registerDataset"] == {
        "id": "ds-v1", "uri": "s3://b/train.parquet", "digest": SHA, "sizeBytes": 2**40
    }  # fmt: skip
    m = await writer.data(
        REGISTER_MODEL, {"input": model_input() | {"uri": "models:/m/1", "digest": "1a2b3c4d"}}
    )
    assert m["registerModel"] == {
        "id": "m-v1", "uri": "models:/m/1", "digest": "mlflow:1a2b3c4d", "sizeBytes": None
    }  # fmt: skip
    answers = []
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            api.sql.reset()
            answers.append(await api.data(READ, {"id": "ds-v1"}))
            if fast == "1":
                assert len(api.sql.statements) == 1
    assert answers[0] == answers[1]
    assert answers[0]["dataset"]["sizeBytes"] == 2**40
    assert answers[0]["models"]["items"][0]["digest"] == "mlflow:1a2b3c4d"


async def test_rest_items_and_detail_carry_the_location(writer):
    await writer.data(
        REGISTER_MODEL,
        {"input": model_input() | {"uri": "s3://b/m", "digest": SHA, "sizeBytes": 7}},
    )
    listed = (await writer.client.get("/api/models")).json()
    detail = (await writer.client.get("/api/models/m-v1")).json()
    for item in (listed["models"][0], detail):
        assert (item["uri"], item["digest"], item["size_bytes"]) == ("s3://b/m", SHA, 7)


async def test_artifacts_by_digest_finds_every_version_with_those_bytes(writer, conn):
    await make_dataset(conn, "a", digest=SHA)
    await make_dataset(conn, "a", digest=OTHER_SHA)
    await make_dataset(conn, "b", digest=SHA.upper().replace("SHA", "sha"))
    await writer.data(REGISTER_MODEL, {"input": model_input() | {"digest": SHA}})
    found = await writer.data(BY_DIGEST, {"d": SHA.replace("ab", "AB")})
    assert found["artifactsByDigest"] == [
        {"id": "a-v1", "kind": "DATASET"},
        {"id": "b-v1", "kind": "DATASET"},
        {"id": "m-v1", "kind": "MODEL"},
    ]
    short = await writer.data(BY_DIGEST, {"d": "0000ffff"})
    assert short["artifactsByDigest"] == []


async def test_the_lookup_by_digest_is_indexed(conn):
    async with conn.transaction():
        await conn.execute("set local enable_seqscan = off")
        plan = await conn.fetch(
            "explain select id from artifacts a where a.digest = $1 order by a.id", SHA
        )
    assert "artifacts_digest" in "\n".join(r[0] for r in plan)


async def test_same_content_across_versions_and_lineages(writer, conn):
    await make_dataset(conn, "a", digest=SHA)
    await make_dataset(conn, "a", digest=SHA)  # registered, not refused
    await make_dataset(conn, "b", digest=SHA)
    await make_dataset(conn, "c", digest=OTHER_SHA)
    same = await writer.data(SAME, {"id": "a-v2"})
    assert same["dataset"]["sameContentAs"] == [{"id": "a-v1"}, {"id": "b-v1"}]
    alone = await writer.data(SAME, {"id": "c-v1"})
    assert alone["dataset"]["sameContentAs"] == []


SAME_BOTH_PATHS = """query($id: ID!) {
  dataset(id: $id) {
    sameContentAs { id digest } sameContentAsCount
    page: sameContentAs(limit: 1, offset: 1) { id }
    versions { id sameContentAsCount sameContentAs { id } }
  }
  datasets(limit: 10) { items { id sameContentAsCount } }
}"""


async def test_same_content_on_both_paths_in_one_statement(conn, pg_dsn):
    for lineage in ("a", "a", "b", "c"):
        await make_dataset(conn, lineage, digest=SHA)
    await make_dataset(conn, "weak", digest="1a2b3c4d")
    await make_dataset(conn, "weak", digest="1a2b3c4d")
    answers = []
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            for ref in ("a-v2", "weak-v2"):
                api.sql.reset()
                answers.append(await api.data(SAME_BOTH_PATHS, {"id": ref}))
                if fast == "1":
                    assert len(api.sql.statements) == 1
    assert answers[:2] == answers[2:]
    strong, weak = answers[0]["dataset"], answers[1]["dataset"]
    assert strong["sameContentAs"] == [{"id": i, "digest": SHA} for i in ("a-v1", "b-v1", "c-v1")]
    assert (strong["sameContentAsCount"], strong["page"]) == (3, [{"id": "b-v1"}])
    assert (weak["sameContentAs"], weak["sameContentAsCount"]) == ([], 0)
    counts = {d["id"]: d["sameContentAsCount"] for d in answers[0]["datasets"]["items"]}
    assert counts == {"a-v1": 3, "a-v2": 3, "b-v1": 3, "c-v1": 3, "weak-v1": 0, "weak-v2": 0}


async def test_weak_digests_never_claim_the_same_content(writer, conn):
    await make_dataset(conn, "a", digest="1a2b3c4d")
    await make_dataset(conn, "a", digest="1a2b3c4d")
    same = await writer.data(SAME, {"id": "a-v2"})
    assert same["dataset"]["sameContentAs"] == []
    found = await writer.data(BY_DIGEST, {"d": "1a2b3c4d"})
    assert [a["id"] for a in found["artifactsByDigest"]] == ["a-v1", "a-v2"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"uri": "ftp://x/y"}, "uri"),
        ({"uri": "s3://a b"}, "uri"),
        ({"digest": "sha256:123"}, "digest"),
        ({"digest": "nohex"}, "digest"),
        ({"sizeBytes": -1}, "sizeBytes"),
    ],
)
async def test_bad_location_is_coded_and_writes_nothing(writer, conn, changes, field):
    before = await conn.fetchval("select count(*) from artifacts")
    for query, base in (
        (REGISTER_DATASET, {"lineageId": "ds", "title": "D"}),
        (REGISTER_MODEL, model_input()),
    ):
        body = await writer.gql(query, {"input": base | changes})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == field, error
    assert await conn.fetchval("select count(*) from artifacts") == before


async def test_a_bad_digest_lookup_is_coded(writer):
    body = await writer.gql(BY_DIGEST, {"d": "sha256:xyz"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


COMPARE = """query($ids: [ID!]!) { compareModels(ids: $ids) { trainingData {
  sameContent { datasets { id digest } modelIds }
  similarity { modelIds versions { shared union } }
} } }"""


async def test_compare_says_models_were_trained_on_the_same_bytes(writer, conn):
    await make_dataset(conn, "raw", digest=SHA)
    await make_dataset(conn, "raw", digest=SHA, title="re-exported")
    for lineage, trained in (("m1", "raw-v1"), ("m2", "raw-v2")):
        await writer.data(
            REGISTER_MODEL,
            {"input": model_input() | {"lineageId": lineage, "trainedOn": [trained]}},
        )
    ids = ["m1-v1", "m2-v1"]
    data = (await writer.data(COMPARE, {"ids": ids}))["compareModels"]["trainingData"]
    assert data["sameContent"] == [
        {"datasets": [{"id": "raw-v1", "digest": SHA}, {"id": "raw-v2", "digest": SHA}],
         "modelIds": ids}
    ]  # fmt: skip
    assert data["similarity"] == [{"modelIds": ids, "versions": {"shared": 1, "union": 1}}]
    rest = (await writer.client.get("/api/models/compare", params={"ids": ",".join(ids)})).json()
    assert rest["training_data_overlap"]["same_content"] == [
        {"dataset_ids": ["raw-v1", "raw-v2"], "model_ids": ids}
    ]
