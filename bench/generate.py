"""Fill a PostgreSQL database with a synthetic catalog, deterministically from a seed.

    .venv/bin/python bench/generate.py --size 1000 --dsn postgresql://...

The schema comes from the app's own migrations; rows go in through COPY (no per-row
registration). Scores and warnings are computed here with the app's pure provenance rules,
so the stored state is what the registration service would have written.

Proportions for N model versions: model lineages of 1-5 versions; N/10 dataset lineages of
1-4 versions; N/20 analysis lineages of 1-3 versions (1-4 inputs, mostly pinned, some
models among them; 0-2 addressed hypotheses); N/50 hypothesis lineages of 1-2 versions.
Each model: trained_on 1-3 datasets (popularity skewed, a few models have none), produced_by
one analysis (a few have none), tests_hypothesis 0-2, derived_from its previous version or
another model sometimes. With ``tagged`` (the benchmark's catalogs), a ``team`` tag on 70% of
model versions and a ``stage`` tag on 40%, drawn from a generator of their own so that the
rest of the catalog is the same with or without them (tests tag the catalog their own way).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from app.db.migrate import migrate
from app.domain import Kind, Link, LinkType
from app.provenance import ModelProvenance, effective_score, warnings_for
from app.repo.rows import warnings_to_json

FAMILIES = ("biophysical", "deep_learning", "statistical")
FAMILY_WEIGHTS = (0.2, 0.5, 0.3)
SHORT = {"biophysical": "bio", "deep_learning": "dl", "statistical": "stat"}
ARCHITECTURES = {
    "biophysical": ("Hodgkin-Huxley ODE", "two-compartment ODE", "reaction-diffusion PDE"),
    "deep_learning": ("ResNet-50", "ViT-B/16", "U-Net", "Transformer encoder", "GNN"),
    "statistical": ("mixed-effects GLM", "Bayesian hierarchical", "fine-mapping SuSiE"),
}
# Every model of a family carries the same metrics; a few directions are declared.
METRICS = {
    "biophysical": ("rmse", "r2", "aic"),
    "deep_learning": ("accuracy", "auroc", "f1", "val_loss"),
    "statistical": ("auc", "brier_score", "log_loss"),
}
DECLARED = {"statistical": {"brier_score": "lower"}, "deep_learning": {"f1": "higher"}}
# Tags on model versions: (key, share of versions carrying it, values).
TAGS = (
    ("team", 0.7, ("neuro", "imaging", "genomics", "clinical", "platform")),
    ("stage", 0.4, ("dev", "eval", "prod")),
)
TOPICS = ("microglia", "astrocyte", "cortex", "hippocampus", "GWAS", "cytokine", "synapse")
START = datetime(2021, 1, 1, tzinfo=UTC)
# How often a trained_on, produced_by or uses link pins a version rather than floating.
PINNED = 0.95


@dataclass
class Lineage:
    id: str
    kind: str
    versions: list[str] = field(default_factory=list)

    @property
    def latest(self) -> str:
        return self.versions[-1]


@dataclass
class Catalog:
    lineages: list[tuple[str, str, int]] = field(default_factory=list)
    artifacts: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[str, str, str, str, str, str | None]] = field(default_factory=list)
    tags: list[tuple[str, str, str]] = field(default_factory=list)


def _versions(rng: random.Random, weights: tuple[float, ...]) -> int:
    return rng.choices(range(1, len(weights) + 1), weights)[0]


def _times(rng: random.Random, n: int) -> list[datetime]:
    t = START + timedelta(
        seconds=rng.randrange(0, 4 * 365 * 86400), milliseconds=rng.randrange(1000)
    )
    out = []
    for _ in range(n):
        out.append(t)
        t += timedelta(days=rng.randrange(1, 60), seconds=rng.randrange(86400))
    return out


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _artifact(
    vid: str, lin: Lineage, n: int, title: str, created: datetime, **model: Any
) -> tuple[Any, ...]:
    meta = {"topic": title.split()[0], "owner": f"team-{n % 7}"}
    desc = f"{title}: synthetic benchmark entry, version {n} of lineage {lin.id}."
    cols = (vid, lin.id, lin.kind, n, n == len(lin.versions), title, desc, _json(meta), created)
    if not model:
        return (*cols, None, None, None, None, None, None, None, None, None)
    return (
        *cols,
        model["family"],
        model["architecture"],
        model["parameter_count"],
        _json(model["training_config"]),
        _json(model["evaluation_metrics"]),
        _json(model["metric_directions"]),
        model["raw"],
        model["score"],
        _json(model["warnings"]),
    )


def _lineages(
    rng: random.Random, kind: str, count: int, weights: tuple[float, ...]
) -> list[Lineage]:
    """``count`` lineages of ``kind``, each with 1..len(weights) versions."""
    out = []
    for i in range(count):
        lin = Lineage(f"{kind}-{i:06d}", kind)
        lin.versions = [f"{lin.id}-v{n}" for n in range(1, _versions(rng, weights) + 1)]
        out.append(lin)
    return out


class _Builder:
    """Rows for one catalog; every random choice comes from one seeded generator."""

    def __init__(self, size: int, seed: int, *, tagged: bool) -> None:
        self.rng = rng = random.Random(seed)
        self.tag_rng = random.Random(f"tags:{seed}") if tagged else None
        self.cat = Catalog()
        self.datasets = _lineages(rng, "dataset", max(3, size // 10), (0.4, 0.3, 0.2, 0.1))
        self.analyses = _lineages(rng, "analysis", max(2, size // 20), (0.6, 0.3, 0.1))
        self.hypotheses = _lineages(rng, "hypothesis", max(2, size // 50), (0.8, 0.2))
        self.models: list[Lineage] = []
        left = size
        while left > 0:
            lin = Lineage(f"model-{len(self.models):06d}", "model")
            n = min(left, _versions(rng, (0.35, 0.25, 0.2, 0.12, 0.08)))
            lin.versions = [f"{lin.id}-v{k}" for k in range(1, n + 1)]
            self.models.append(lin)
            left -= n
        # Popular datasets: a mild Zipf law over a shuffled order.
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.datasets))]
        rng.shuffle(weights)
        self.popularity = list(itertools.accumulate(weights))
        self.hypothesis_by_id = {h.id: h for h in self.hypotheses}
        self.analysis_by_id = {a.id: a for a in self.analyses}
        # The links of each analysis version, for its models' provenance rules.
        self.analysis_links: dict[str, list[Link]] = {}

    def link(self, src: str, src_kind: str, typ: str, lin: Lineage, p_pinned: float) -> Link:
        """Link to a lineage: pin a version (mostly the latest), or float."""
        version = None
        if self.rng.random() < p_pinned:
            version = lin.latest if self.rng.random() < 0.6 else self.rng.choice(lin.versions)
        return self.pinned(src, src_kind, typ, lin, version)

    def pinned(self, src: str, src_kind: str, typ: str, lin: Lineage, ver: str | None) -> Link:
        self.cat.links.append((src, src_kind, typ, lin.id, lin.kind, ver))
        return Link(src, LinkType(typ), lin.id, ver, Kind(lin.kind))

    def versions(self, lin: Lineage) -> list[tuple[int, str, datetime]]:
        self.cat.lineages.append((lin.id, lin.kind, len(lin.versions)))
        times = _times(self.rng, len(lin.versions))
        return [(n, v, t) for n, (v, t) in enumerate(zip(lin.versions, times, strict=True), 1)]

    def plain(self, lin: Lineage) -> None:
        topic = self.rng.choice(TOPICS)
        for n, vid, t in self.versions(lin):
            title = f"{topic} {lin.kind} {lin.id[-6:]} release {n}"
            self.cat.artifacts.append(_artifact(vid, lin, n, title, t))

    def analysis(self, lin: Lineage) -> None:
        rng = self.rng
        topic = rng.choice(TOPICS)
        for n, vid, t in self.versions(lin):
            self.cat.artifacts.append(_artifact(vid, lin, n, f"{topic} analysis {lin.id[-6:]}", t))
            k = rng.randint(1, 4)
            inputs = {x.id: x for x in rng.choices(self.datasets, cum_weights=self.popularity, k=k)}
            if rng.random() < 0.15:
                m = rng.choice(self.models)
                inputs[m.id] = m
            links = [self.link(vid, "analysis", "uses", x, PINNED) for x in inputs.values()]
            for h in rng.sample(self.hypotheses, rng.choices((0, 1, 2), (0.3, 0.5, 0.2))[0]):
                links.append(self.link(vid, "analysis", "addresses", h, 0.5))
            self.analysis_links[vid] = links

    def model(self, lin: Lineage) -> None:
        rng = self.rng
        family = rng.choices(FAMILIES, FAMILY_WEIGHTS)[0]
        arch = rng.choice(ARCHITECTURES[family])
        topic = rng.choice(TOPICS)
        for n, vid, t in self.versions(lin):
            trained = []
            if rng.random() >= 0.05:
                k = rng.choices((1, 2, 3), (0.4, 0.4, 0.2))[0]
                chosen = rng.choices(self.datasets, cum_weights=self.popularity, k=k)
                for d in {d.id: d for d in chosen}.values():
                    trained.append(self.link(vid, "model", "trained_on", d, PINNED))
            producer = None
            if rng.random() >= 0.08:
                producer = self.link(vid, "model", "produced_by", rng.choice(self.analyses), PINNED)
            a_links = []
            if producer is not None:
                a_lin = self.analysis_by_id[producer.target_lineage_id]
                a_links = self.analysis_links[producer.target_version_id or a_lin.latest]
            addressed = [lk.target_lineage_id for lk in a_links if lk.type is LinkType.ADDRESSES]
            tested = {}
            # Mostly a hypothesis the producing analysis addresses, plus 0-2 others.
            if addressed and rng.random() < 0.8:
                h = self.hypothesis_by_id[rng.choice(addressed)]
                tested[h.id] = h
            for h in rng.sample(self.hypotheses, rng.choices((0, 1, 2), (0.4, 0.45, 0.15))[0]):
                tested[h.id] = h
            tests = [self.link(vid, "model", "tests_hypothesis", h, 0.7) for h in tested.values()]
            if n > 1 and rng.random() < 0.3:
                self.pinned(vid, "model", "derived_from", lin, lin.versions[n - 2])
            elif rng.random() < 0.05:
                other = rng.choice(self.models)
                if other is not lin:
                    self.pinned(vid, "model", "derived_from", other, rng.choice(other.versions))
            warnings = warnings_for(
                ModelProvenance(
                    trained_on=trained,
                    produced_by=producer,
                    tests_hypotheses=tests,
                    analysis_inputs=[lk for lk in a_links if lk.type is LinkType.USES],
                    analysis_addresses=[lk for lk in a_links if lk.type is LinkType.ADDRESSES],
                )
            )
            raw = round(rng.betavariate(5, 2), 4)
            metrics = {m: round(rng.uniform(0.05, 0.99), 4) for m in METRICS[family]}
            if "aic" in metrics:
                metrics["aic"] = round(rng.uniform(100, 5000), 2)
            optimizer = {
                "name": rng.choice(("adam", "sgd", "lbfgs")),
                "lr": 10 ** -rng.randint(2, 5),
            }
            model = {
                "family": family,
                "architecture": arch,
                "parameter_count": _parameters(rng, family),
                "training_config": {
                    "optimizer": optimizer,
                    "epochs": rng.randint(5, 300),
                    "seed": rng.randrange(10_000),
                },
                "evaluation_metrics": metrics,
                "metric_directions": DECLARED.get(family, {}),
                "raw": raw,
                "score": effective_score(raw, warnings),
                "warnings": warnings_to_json(warnings),
            }
            title = f"{topic} {arch} {SHORT[family]} model {lin.id[-6:]}"
            self.cat.artifacts.append(_artifact(vid, lin, n, title, t, **model))
            self.tags(vid)

    def tags(self, vid: str) -> None:
        if self.tag_rng is None:
            return
        for key, share, values in TAGS:
            if self.tag_rng.random() < share:
                self.cat.tags.append((vid, key, self.tag_rng.choice(values)))


def build(size: int, seed: int, *, tagged: bool = False) -> Catalog:
    """The whole catalog as rows, from ``size`` model versions and a seed."""
    b = _Builder(size, seed, tagged=tagged)
    for lin in (*b.datasets, *b.hypotheses):
        b.plain(lin)
    for lin in b.analyses:
        b.analysis(lin)
    for lin in b.models:
        b.model(lin)
    return b.cat


def _parameters(rng: random.Random, family: str) -> int:
    if family == "deep_learning":
        return int(10 ** rng.uniform(5, 10.3))
    if family == "biophysical":
        return rng.randint(4, 200)
    return rng.randint(2, 5000)


ARTIFACT_COLUMNS = (
    "id", "lineage_id", "kind", "version_number", "is_latest", "title", "description",
    "metadata", "created_at", "family", "architecture", "parameter_count", "training_config",
    "evaluation_metrics", "metric_directions", "raw_quality_score", "quality_score",
    "provenance_warnings",
)  # fmt: skip
LINK_COLUMNS = (
    "source_id", "source_kind", "type", "target_lineage_id", "target_kind", "target_version_id"
)  # fmt: skip


async def fill(
    conn: asyncpg.Connection, size: int, seed: int, *, tagged: bool = False
) -> dict[str, int]:
    """Migrate an empty database, load the catalog through COPY, then VACUUM ANALYZE."""
    await migrate(conn)
    if await conn.fetchval("select count(*) from artifacts"):
        raise SystemExit("generate: the database already holds artifacts; use an empty one")
    cat = build(size, seed, tagged=tagged)
    async with conn.transaction():
        await conn.copy_records_to_table(
            "lineages", records=cat.lineages, columns=("id", "kind", "latest_version")
        )
        await conn.copy_records_to_table(
            "artifacts", records=cat.artifacts, columns=ARTIFACT_COLUMNS
        )
        await conn.copy_records_to_table("links", records=cat.links, columns=LINK_COLUMNS)
        await conn.copy_records_to_table(
            "tags", records=cat.tags, columns=("artifact_id", "key", "value")
        )
        # The directions the models are registered with are the registry's too: declared.
        await conn.executemany(
            "insert into metric_declarations (name, direction, declared_by) values ($1, $2, $3)",
            sorted({(n, d, "bench") for dirs in DECLARED.values() for n, d in dirs.items()}),
        )
    # model_metrics and trained_on_metrics are filled by their triggers (migrations 0010,
    # 0014) as the artifacts and links are copied.
    await conn.execute(
        "vacuum (analyze) lineages, artifacts, links, model_metrics, tags, trained_on_metrics"
    )
    counts = await conn.fetch(
        "select kind, count(*) as n from artifacts group by kind order by kind"
    )
    out = {r["kind"]: r["n"] for r in counts}
    for table in ("links", "model_metrics", "tags"):
        out[table] = await conn.fetchval(f"select count(*) from {table}")
    return out


async def _main(dsn: str, size: int, seed: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        counts = await fill(conn, size, seed, tagged=True)
        took = time.perf_counter() - started
        print(f"generated {counts} in {took:.1f}s", file=sys.stderr)
    finally:
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", required=True, help="an empty database")
    parser.add_argument("--size", type=int, default=1000, help="model versions")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(_main(args.dsn, args.size, args.seed))
