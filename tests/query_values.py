"""Argument values for generated queries: ids from the seeded catalog, paging, filters.

Mostly valid values that name real rows; some unknown ids, and at a small rate values out
of range, so that both paths are also compared on their errors.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema

KINDS = ("model", "dataset", "analysis", "hypothesis")


@dataclass(frozen=True)
class CatalogIds:
    """What the seeded catalog holds: ids by kind, and the words of its titles."""

    versions: dict[str, list[str]]
    lineages: dict[str, list[str]]
    words: list[str]


@dataclass(frozen=True)
class EnumValue:
    name: str


def literal(v: Any) -> str:
    """A Python value as a GraphQL literal."""
    if isinstance(v, EnumValue):
        return v.name
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int | str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(literal(x) for x in v) + "]"
    return "{" + ", ".join(f"{k}: {literal(x)}" for k, x in v.items()) + "}"


def as_json(v: Any) -> Any:
    """A Python value as a variable's JSON value."""
    if isinstance(v, EnumValue):
        return v.name
    if isinstance(v, list):
        return [as_json(x) for x in v]
    if isinstance(v, dict):
        return {k: as_json(x) for k, x in v.items()}
    return v


class Values:
    """Random argument values drawn from ``rng``."""

    def __init__(self, schema: GraphQLSchema, ids: CatalogIds, rng: random.Random) -> None:
        self.schema = schema
        self.ids = ids
        self.rng = rng

    def root(self, name: str) -> tuple[dict[str, Any], int]:
        """Arguments of a root field, and how many items its list holds at most."""
        rng = self.rng
        if name in ("model", "dataset", "analysis", "hypothesis", "artifact", "auditTrail"):
            values: dict[str, Any] = {
                "id": self.ref(None if name in ("artifact", "auditTrail") else name)
            }
            if name == "auditTrail":
                values.update(self.paging(1000, 100, 200))
            return values, 1
        if name == "models":
            values = self.paging(100, 20, 200)
            if rng.random() < 0.5:
                values["filter"] = self.model_filter()
            if rng.random() < 0.4:
                values["sort"] = self.model_sort()
            return values, values.get("limit", 20)
        if name in ("datasets", "analyses", "hypotheses"):
            values = self.paging(100, 20, 200)
            if rng.random() < 0.3:
                values["latestOnly"] = rng.random() < 0.7
            if rng.random() < 0.3:
                values["search"] = self.search()
            return values, values.get("limit", 20)
        if name == "lineage":
            return self.lineage()
        return {"ids": self.compare_ids()}, 10

    def lineage(self) -> tuple[dict[str, Any], int]:
        rng = self.rng
        values: dict[str, Any] = {"id": self.ref(rng.choice((None, "model", "model", "dataset")))}
        if rng.random() < 0.6:
            values["direction"] = EnumValue(rng.choice(("UPSTREAM", "DOWNSTREAM")))
        if rng.random() < 0.6:
            values["maxDepth"] = rng.choice((1, 1, 2, 2, 3, 4, 6, 10, 0, 11))
        if rng.random() < 0.6:
            roll = rng.random()
            if roll < 0.7:
                values["limit"] = rng.randint(1, 20)
            elif roll < 0.95:
                values["limit"] = rng.randint(21, 500)
            else:
                values["limit"] = rng.choice((0, 501))
        return values, values.get("limit", 100)

    def model_sort(self) -> dict[str, Any]:
        sort = {}
        if self.rng.random() < 0.8:
            sort["field"] = EnumValue(self.rng.choice(self.enum("ModelSortField")))
        if self.rng.random() < 0.7:
            sort["direction"] = EnumValue(self.rng.choice(("ASC", "DESC")))
        return sort

    def ref(self, kind: str | None) -> str:
        """An id: mostly a real version or lineage id of ``kind``, sometimes not."""
        rng = self.rng
        roll = rng.random()
        real = kind or rng.choice(KINDS)
        if roll < 0.6:
            return rng.choice(self.ids.versions[real])
        if roll < 0.82:
            return rng.choice(self.ids.lineages[real])
        if roll < 0.9:
            other = rng.choice([k for k in KINDS if k != real])
            return rng.choice(self.ids.versions[other])
        if roll < 0.97:
            return rng.choice(("model-nope-v1", "dataset-missing", "no-such-thing-v9"))
        return rng.choice(("", " ", "bad id!", "x" * 130, "model-hh-interneuron@production"))

    def page_limit(self, maximum: int, default: int) -> int:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return rng.randint(1, 10)
        if roll < 0.55:
            return rng.randint(11, maximum)
        if roll < 0.6:
            return rng.choice((0, -3, maximum + 1))
        return default  # left out (see paging)

    def paging(self, limit_max: int, limit_default: int, offset_max: int) -> dict[str, int]:
        """limit and offset arguments; a value equal to the default is left out."""
        rng = self.rng
        out = {}
        limit = self.page_limit(limit_max, limit_default)
        if limit != limit_default or rng.random() < 0.1:
            out["limit"] = limit
        roll = rng.random()
        if roll < 0.25:
            out["offset"] = rng.randint(0, 5)
        elif roll < 0.33:
            out["offset"] = rng.randint(6, offset_max)
        elif roll < 0.35:
            out["offset"] = rng.choice((-1, 1_000_001, 1_000_000))
        return out

    def nested_paging(self) -> dict[str, int]:
        """A nested list's limit (1..1000) and offset, mostly small, rarely out of range."""
        rng = self.rng
        out = {}
        roll = rng.random()
        if roll < 0.7:
            out["limit"] = rng.randint(1, 3)
        elif roll < 0.85:
            out["limit"] = rng.randint(4, 20)
        elif roll < 0.91:
            out["limit"] = rng.choice((50, 100, 999, 1000))
        elif roll < 0.93:
            out["limit"] = rng.choice((0, -1, 1001))
        # else: left out, 100
        roll = rng.random()
        if roll < 0.2:
            out["offset"] = rng.randint(0, 3)
        elif roll < 0.25:
            out["offset"] = rng.randint(4, 200)
        elif roll < 0.26:
            out["offset"] = rng.choice((-1, 1_000_001))
        return out

    def search(self) -> str:
        rng = self.rng
        roll = rng.random()
        word = rng.choice(self.ids.words)
        if roll < 0.5:
            return word
        if roll < 0.65:
            return word.upper() if rng.random() < 0.5 else word.lower()
        if roll < 0.8 and len(word) > 3:
            start = rng.randrange(len(word) - 2)
            return word[start : start + rng.randint(2, 4)]
        if roll < 0.9:
            return rng.choice(("100%", "a_b", "zzqx", "%", "_", "v1 release", "é"))
        if roll < 0.97:
            return f"{word} {rng.choice(self.ids.words)}"
        return rng.choice(("x" * 201, "nul\x00byte", ""))

    def enum(self, name: str) -> list[str]:
        t = self.schema.get_type(name)
        return list(getattr(t, "values", {}))

    def model_filter(self) -> dict[str, Any]:
        rng = self.rng
        out: dict[str, Any] = {}
        if rng.random() < 0.4:
            out["family"] = EnumValue(rng.choice(self.enum("ModelFamily")))
        if rng.random() < 0.35:
            out["latestOnly"] = rng.random() < 0.7
        if rng.random() < 0.35:
            out["search"] = self.search()
        # The fast path declines these two (their ids need resolving first).
        if rng.random() < 0.08:
            out["trainedOn"] = self.ref("dataset")
        if rng.random() < 0.05:
            out["testsHypothesis"] = self.ref("hypothesis")
        if rng.random() < 0.15:
            out["tag"] = self.tag_filter()
        if rng.random() < 0.1:
            out["alias"] = rng.choices(
                ("production", "staging", "gone", "Bad Alias"), (5, 3, 1, 1)
            )[0]
        return out

    def tag_filter(self) -> dict[str, Any]:
        """Keys the seeded catalog uses, one it does not, and rarely an invalid one."""
        rng = self.rng
        key = rng.choices(("stage", "team", "owner", "Bad Key"), (5, 3, 1, 1))[0]
        value = rng.choice((None, None, "dev", "prod", "", "core", "v" * 257))
        return {"key": key} if value is None else {"key": key, "value": value}

    def compare_ids(self) -> list[str]:
        rng = self.rng
        n = rng.choices((1, 2, 3, 4, 6, 11), (4, 40, 30, 15, 8, 3))[0]
        versions, lineages = self.ids.versions["model"], self.ids.lineages["model"]
        ids = [rng.choice(versions if rng.random() < 0.6 else lineages) for _ in range(n)]
        roll = rng.random()
        if roll < 0.08:
            ids.append(ids[0])  # duplicates collapse
        elif roll < 0.14:
            ids[-1] = self.ref(rng.choice(("dataset", None)))  # not a model, or unknown
        return ids
