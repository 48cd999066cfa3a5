"""Reference answers for read queries, built from the tables with plain SQL and the domain's
definitions, without the app's read code.

The compiled fast path and the resolvers derive from the same field declarations, so
comparing them cannot see a bug they share; these answers are written independently.
Definitions used: a link reaches the version it pins, or while it floats the latest version
of its lineage; lists of linked artifacts follow the target lineage id (forward links) or the
source id (back links); pages sort by their column, then by id, in one direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app import metric_directions

REACHED = """join artifacts t on t.lineage_id = l.target_lineage_id
    and (t.id = l.target_version_id or (l.target_version_id is null and t.is_latest))"""

Json = dict[str, Any]


def typename(kind: str) -> str:
    return kind.capitalize()


class Reference:
    """Answers computed from the database through ``conn`` (any asyncpg connection)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def page(
        self,
        kind: str,
        *,
        where: str = "true",
        args: Sequence[Any] = (),
        sort: str = "created_at",
        direction: str = "desc",
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[str], int]:
        """Ids of one page of ``kind`` (``where`` on artifacts ``a``) and the total."""
        base = f"from artifacts a where a.kind = '{kind}' and ({where})"
        n = len(args)
        records = await self.conn.fetch(
            f"select a.id {base} order by a.{sort} {direction}, a.id {direction}"
            f" limit ${n + 1} offset ${n + 2}",
            *args,
            limit,
            offset,
        )
        total = await self.conn.fetchval(f"select count(*) {base}", *args)
        return [r["id"] for r in records], total

    async def row(self, version_id: str) -> Any:
        return await self.conn.fetchrow(
            "select a.*, to_jsonb(a.created_at) #>> '{}' as created_at_json"
            " from artifacts a where a.id = $1",
            version_id,
        )

    async def resolve(self, ref: str) -> str | None:
        """The version a ref names: itself, or its lineage's latest."""
        value: str | None = await self.conn.fetchval(
            "select id from artifacts where id = $1 or (lineage_id = $1 and is_latest)"
            " order by id = $1 desc limit 1",
            ref,
        )
        return value

    async def forward(self, source_id: str, link_type: str) -> list[Any]:
        """What ``source_id``'s links of a type reach: (id, kind, pinned, version_number)."""
        return list(
            await self.conn.fetch(
                f"""select t.id, t.kind, l.target_version_id is not null as pinned,
                       t.version_number
                from links l {REACHED}
                where l.source_id = $1 and l.type = $2 order by l.target_lineage_id""",
                source_id,
                link_type,
            )
        )

    async def forward_ids(self, source_id: str, link_type: str) -> list[Json]:
        return [{"id": r["id"]} for r in await self.forward(source_id, link_type)]

    async def back_ids(self, target_id: str, link_type: str) -> list[Json]:
        """Versions whose links of a type reach ``target_id``, by id."""
        records = await self.conn.fetch(
            f"select l.source_id from links l {REACHED}"
            " where t.id = $1 and l.type = $2 order by l.source_id",
            target_id,
            link_type,
        )
        return [{"id": r["source_id"]} for r in records]

    async def versions(self, version_id: str) -> list[Any]:
        return list(
            await self.conn.fetch(
                "select v.id, v.version_number, v.is_latest from artifacts a"
                " join artifacts v on v.lineage_id = a.lineage_id"
                " where a.id = $1 order by v.version_number",
                version_id,
            )
        )

    async def latest(self, version_id: str) -> Json:
        return {"id": next(v["id"] for v in await self.versions(version_id) if v["is_latest"])}

    async def better(self, name: str) -> str:
        """The registry's direction of a metric name: its declaration in metric_declarations,
        else the one its name suggests; never a model's own."""
        declared = await self.conn.fetchval(
            "select direction from metric_declarations where name = $1", name
        )
        return str(declared or metric_directions.inferred(name)).upper()

    async def metric_list(self, r: Any) -> list[Json]:
        return [
            {"name": k, "value": v, "better": await self.better(k)}
            for k, v in sorted(r["evaluation_metrics"].items())
        ]

    @staticmethod
    def provenance(r: Any) -> Json:
        warnings = [{"code": w["code"], "message": w["message"]} for w in r["provenance_warnings"]]
        return {"complete": not warnings, "warnings": warnings}

    async def inputs(self, analysis_id: str) -> list[Any]:
        return await self.forward(analysis_id, "uses")

    @staticmethod
    def input_json(i: Any) -> Json:
        return {
            "pinned": i["pinned"],
            "pinnedVersion": i["version_number"] if i["pinned"] else None,
            "artifact": {"id": i["id"], "kind": i["kind"].upper()},
        }

    async def nested_model(self, model_id: str) -> Json:
        """A model as tests/test_fast_path.py's NESTED query selects it."""
        r = await self.row(model_id)
        trained_on = []
        for d in await self.forward(model_id, "trained_on"):
            versions = await self.versions(d["id"])
            trained_on.append(
                {
                    "id": d["id"],
                    "versions": [
                        {"id": v["id"], "versionNumber": v["version_number"]} for v in versions
                    ],
                    "latest": await self.latest(d["id"]),
                }
            )
        produced_by = None
        for a in await self.forward(model_id, "produced_by"):
            produced_by = {
                "id": a["id"],
                "inputs": [self.input_json(i) for i in await self.inputs(a["id"])],
                "addresses": await self.forward_ids(a["id"], "addresses"),
            }
        tests = [
            {
                "id": h["id"],
                "testedBy": await self.back_ids(h["id"], "tests_hypothesis"),
                "analyses": await self.back_ids(h["id"], "addresses"),
            }
            for h in await self.forward(model_id, "tests_hypothesis")
        ]
        derived = [
            {"id": m["id"], "versions": [{"id": v["id"]} for v in await self.versions(m["id"])]}
            for m in await self.forward(model_id, "derived_from")
        ]
        return {
            "id": r["id"],
            "title": r["title"],
            "family": r["family"].upper(),
            "qualityScore": r["quality_score"],
            "rawQualityScore": r["raw_quality_score"],
            "parameterCount": r["parameter_count"],
            "createdAt": r["created_at_json"],
            "evaluationMetrics": await self.metric_list(r),
            "evaluationMetricsJson": r["evaluation_metrics"],
            "trainingConfig": r["training_config"],
            "metadata": r["metadata"],
            "provenance": self.provenance(r),
            "trainedOn": trained_on,
            "producedBy": produced_by,
            "testsHypotheses": tests,
            "derivedFrom": derived,
        }

    async def lineage(
        self, start: str, *, downstream: bool, max_depth: int, limit: int
    ) -> tuple[list[tuple[str, int]], list[Json], bool]:
        """Breadth-first from ``start``: (node, distance) nearest first, edges, truncated.

        Upstream follows links to what they reach; downstream, the links that reach a node.
        An edge is kept when both ends are and it lies within ``max_depth`` steps.
        """
        distance = {start: 0}
        edges: dict[tuple[str, str, str], tuple[bool, int]] = {}
        frontier = [start]
        for depth in range(1, max_depth + 2):  # one step past the bound, to see a cut
            found = []
            for node in frontier:
                if downstream:
                    records = await self.conn.fetch(
                        f"select l.source_id, t.id as target_id, l.type,"
                        f" l.target_version_id is not null as pinned"
                        f" from links l {REACHED} where t.id = $1",
                        node,
                    )
                else:
                    records = await self.conn.fetch(
                        f"select l.source_id, t.id as target_id, l.type,"
                        f" l.target_version_id is not null as pinned"
                        f" from links l {REACHED} where l.source_id = $1",
                        node,
                    )
                for e in records:
                    key = (e["source_id"], e["target_id"], e["type"])
                    edges.setdefault(key, (e["pinned"], depth))
                    other = e["source_id"] if downstream else e["target_id"]
                    if other not in distance:
                        distance[other] = depth
                        found.append(other)
            frontier = found
        within = sorted((d, n) for n, d in distance.items() if d <= max_depth)
        kept = dict((n, d) for d, n in within[:limit])
        truncated = len(within) > limit or any(d > max_depth for d in distance.values())
        kept_edges = [
            {"sourceId": s, "targetId": t, "type": ty.upper(), "pinned": p, "depth": d}
            for (s, t, ty), (p, d) in edges.items()
            if d <= max_depth and s in kept and t in kept
        ]
        return [(n, d) for d, n in within[:limit]], kept_edges, truncated
