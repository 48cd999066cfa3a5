"""Load the demo catalog into an empty database, never on top of real data."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from app import ids, validation
from app.db.types import Conn
from app.domain import Kind, LinkSpec, LinkType, NewArtifact
from app.promotion import gate_from_json
from app.repo import artifacts as artifact_repo
from app.repo import locks
from app.repo import metric_declarations as declaration_repo
from app.service import aliases
from app.service.register import SYSTEM_ACTOR, register

CATALOG = Path(__file__).parent / "catalog.json"

# Another process starting at the same moment must not load a second copy.
_LOCK_KEY = 0x64656D6F  # "demo"
# The demo's alias moves are its curator's: protected aliases move too, past their gates.
_CURATOR = aliases.Mover("demo", may_promote=True, may_force=True)

_LINK_FIELDS = {
    "trained_on": LinkType.TRAINED_ON,
    "tests_hypotheses": LinkType.TESTS_HYPOTHESIS,
    "derived_from": LinkType.DERIVED_FROM,
    "uses": LinkType.USES,
    "addresses": LinkType.ADDRESSES,
}


def to_new_artifact(entry: dict[str, Any]) -> NewArtifact:
    """Translate one catalog entry into a registration request."""
    links = [LinkSpec(t, ref) for name, t in _LINK_FIELDS.items() for ref in entry.get(name, [])]
    if "produced_by" in entry:
        links.append(LinkSpec(LinkType.PRODUCED_BY, entry["produced_by"]))
    kind = Kind(entry["kind"])
    common: dict[str, Any] = {
        "kind": kind,
        "lineage_id": entry["lineage"],
        "title": entry["title"],
        "description": entry.get("description", ""),
        "metadata": entry.get("metadata", {}),
        "links": tuple(links),
        "uri": entry.get("uri"),
        "digest": entry.get("digest"),
        "size_bytes": entry.get("size_bytes"),
    }
    if kind is not Kind.MODEL:
        return NewArtifact(**common)
    return NewArtifact(
        **common,
        family=validation.parse_family(entry["family"]),
        architecture=entry.get("architecture", ""),
        parameter_count=entry.get("parameter_count", 0),
        training_config=entry.get("training_config", {}),
        evaluation_metrics=entry.get("evaluation_metrics", {}),
        metric_directions=entry.get("metric_directions", {}),
        raw_quality_score=entry["raw_quality_score"],
    )


async def load_if_empty(conn: Conn, catalog: Path = CATALOG) -> int:
    """Register every catalog entry when the database holds no artifact; return how many."""
    loaded = json.loads(await asyncio.to_thread(catalog.read_text))
    entries = loaded["artifacts"]
    async with conn.transaction():
        await locks.hold_for_transaction(conn, _LOCK_KEY)
        if await artifact_repo.count_all(conn) > 0:
            return 0
        # Names whose direction their tokens do not tell (mean_credible_set_size is lower);
        # a declaration someone made already stays.
        metrics = loaded.get("metrics", [])
        declared = await declaration_repo.of_names(conn, [m["name"] for m in metrics])
        for m in (m for m in metrics if m["name"] not in declared):
            await declaration_repo.put(
                conn, m["name"], m["direction"], m.get("description", ""), SYSTEM_ACTOR
            )
        for entry in entries:
            await register(conn, to_new_artifact(entry))
        for move in loaded.get("aliases", []):
            version = ids.version_id(move["lineage"], move["version"])
            await aliases.set_alias(
                conn, move["lineage"], move["alias"], version, move["reason"], None, _CURATOR
            )
        for p in loaded.get("protections", []):
            gate = gate_from_json(p["gate"])
            await aliases.protect(conn, p["lineage"], p["alias"], gate, _CURATOR.actor)
    return len(entries)
