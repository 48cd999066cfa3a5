"""A plain-Python reference evaluation of filter trees, and a seeded generator of trees.

``evaluate`` is written to be obviously right, not fast: the registry's compiled SQL must
give the same answer for every model. It is two-valued: a comparison on a metric or a tag
the model lacks is false, and its NOT is true.

``random_tree`` draws valid trees (within the depth and leaf limits) over a vocabulary of
families, metrics, tags, ids and words, so a property test can send them through the API.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain import Family, WarningCode
from app.search import fields as f
from app.search.fields import Field, Op
from app.search.tree import MAX_DEPTH, MAX_LEAVES, And, Leaf, Node, Not, Or, leaf, normalize
from app.text_search import folds_lossily


def leaf_named(name: str, op: Op, value: object = None, param: str | None = None) -> Leaf:
    """A leaf by the text language's field name, for tables of expected trees."""
    spec = f.spec_named(name)
    assert spec is not None, name
    return leaf(Field(spec, param), op, value)


@dataclass(frozen=True)
class Record:
    """One model version as a filter sees it.

    The link sets hold every ref that names a linked artifact: its version id and its
    lineage id (and ``lineage@alias`` forms, when the caller resolves aliases that way).
    ``is_latest`` says the version is its lineage's newest, archived or not; the ``latest``
    leaf also wants it not archived (what ``latestOnly`` has always meant)."""

    id: str
    family: str = "statistical"
    architecture: str = ""
    quality_score: float = 0.0
    parameter_count: int = 0
    created_at: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    aliases: frozenset[str] = frozenset()
    warnings: frozenset[str] = frozenset()
    trained_on: frozenset[str] = frozenset()
    produced_by: frozenset[str] = frozenset()
    tests_hypothesis: frozenset[str] = frozenset()
    derived_from: frozenset[str] = frozenset()
    is_latest: bool = True
    archived: bool = False
    title: str = ""
    description: str = ""


COMPARE: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.LT: operator.lt,
    Op.LTE: operator.le,
    Op.GT: operator.gt,
    Op.GTE: operator.ge,
}


def contains(haystack: str, needle: str) -> bool:
    """Case-insensitive substring, as app.text_search promises: a character that does not
    survive a round trip through lower and upper case (İ, ß) matches only itself."""

    def same(h: str, n: str) -> bool:
        return h == n or (not folds_lossily(n) and not folds_lossily(h) and h.lower() == n.lower())

    size = len(needle)
    return any(
        all(same(h, n) for h, n in zip(haystack[i : i + size], needle, strict=True))
        for i in range(len(haystack) - size + 1)
    )


def evaluate(node: Node, record: Record) -> bool:
    """Whether ``record`` passes the filter ``node``."""
    if isinstance(node, And):
        return all(evaluate(c, record) for c in node.children)
    if isinstance(node, Or):
        return any(evaluate(c, record) for c in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, record)
    return _leaf(node, record)


def _leaf(node: Leaf, r: Record) -> bool:
    spec, param, op, value = node.field.spec, node.field.param, node.op, node.value
    if spec is f.METRICS:
        assert param is not None
        if param not in r.metrics:
            return False
        return op is Op.PRESENT or COMPARE[op](r.metrics[param], value)
    if spec is f.TAGS:
        assert param is not None
        if param not in r.tags:
            return False
        return op is Op.PRESENT or r.tags[param] == value
    if op is Op.CONTAINS:
        assert isinstance(value, str)
        return any(contains(text, value) for text in _searched(spec, r))
    actual: dict[f.FieldSpec, object] = {
        f.FAMILY: r.family,
        f.ARCHITECTURE: r.architecture,
        f.QUALITY_SCORE: r.quality_score,
        f.PARAMETER_COUNT: r.parameter_count,
        f.CREATED_AT: r.created_at,
        f.PROVENANCE_COMPLETE: not r.warnings,
        f.LATEST: r.is_latest and not r.archived,
        f.ARCHIVED: r.archived,
    }
    members: dict[f.FieldSpec, frozenset[str]] = {
        f.ALIAS: r.aliases,
        f.WARNING: r.warnings,
        f.TRAINED_ON: r.trained_on,
        f.PRODUCED_BY: r.produced_by,
        f.TESTS_HYPOTHESIS: r.tests_hypothesis,
        f.DERIVED_FROM: r.derived_from,
    }
    if spec in members:
        return str(value) in members[spec]
    return COMPARE[op](actual[spec], value)


def _searched(spec: f.FieldSpec, r: Record) -> list[str]:
    if spec is f.TITLE:
        return [r.title]
    if spec is f.ARCHITECTURE:
        return [r.architecture]
    return [r.title, r.description, *r.tags, *r.tags.values()]


@dataclass(frozen=True)
class Vocabulary:
    """What random trees talk about; the defaults make a small self-contained catalog."""

    families: Sequence[str] = tuple(fam.value for fam in Family)
    architectures: Sequence[str] = ("lif", "cnn", "glm")
    # Metric names and the range their thresholds are drawn from; a catalog where some
    # models lack some of them exercises the two-valued rule.
    metrics: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {"rmse": (0.0, 1.0), "auc": (0.5, 1.0), "val loss": (0.0, 2.0)}
    )
    tags: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {"team": ("neuro", "imaging"), "split": ("a", "b")}
    )
    aliases: Sequence[str] = ("production", "champion")
    # Refs per link field name (trained_on, produced_by, tests_hypothesis, derived_from).
    refs: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {
            "trained_on": ("dataset-a", "dataset-a-v1", "dataset-b"),
            "produced_by": ("analysis-a", "analysis-a-v2"),
            "tests_hypothesis": ("hypothesis-a",),
            "derived_from": ("model-a", "model-a-v1"),
        }
    )
    words: Sequence[str] = ("spiking", "Model", "net", "o'brien")
    quality: tuple[float, float] = (0.0, 1.0)
    parameters: tuple[int, int] = (0, 10_000_000)
    since: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    days: int = 730


_LINKS = {s.name: s for s in (f.TRAINED_ON, f.PRODUCED_BY, f.TESTS_HYPOTHESIS, f.DERIVED_FROM)}


def random_leaf(rng: random.Random, v: Vocabulary) -> Node:
    """One valid comparison over ``v``, sometimes negated (``!=``, ``IS NULL``)."""
    spec = rng.choice([s for s in f.CATALOG if s.name not in _LINKS or v.refs.get(s.name)])
    param = None
    if spec is f.METRICS:
        param = rng.choice(list(v.metrics))
    elif spec is f.TAGS:
        param = rng.choice(list(v.tags))
    where = Field(spec, param)
    op = rng.choice(spec.ops)
    node: Node = leaf(where, op, None if op is Op.PRESENT else _value(rng, v, where, op))
    return Not(node) if op in (Op.EQ, Op.PRESENT) and rng.random() < 0.25 else node


def _value(rng: random.Random, v: Vocabulary, where: Field, op: Op) -> object:
    spec = where.spec
    if spec is f.METRICS:
        lo, hi = v.metrics[str(where.param)]
        return round(rng.uniform(lo, hi), 3)
    if spec is f.TAGS:
        return rng.choice(list(v.tags[str(where.param)]))
    choices: dict[f.FieldSpec, Callable[[], object]] = {
        f.FAMILY: lambda: rng.choice(list(v.families)),
        f.ARCHITECTURE: lambda: rng.choice(list(v.architectures)),
        f.QUALITY_SCORE: lambda: round(rng.uniform(*v.quality), 2),
        f.PARAMETER_COUNT: lambda: rng.randint(*v.parameters),
        f.CREATED_AT: lambda: v.since + timedelta(days=rng.randrange(v.days)),
        f.ALIAS: lambda: rng.choice(list(v.aliases)),
        f.WARNING: lambda: rng.choice(list(WarningCode)),
    }
    if spec.name in _LINKS:
        return rng.choice(list(v.refs[spec.name]))
    if spec.kind is f.Kind.BOOLEAN:
        return rng.random() < 0.5
    if spec.kind is f.Kind.TEXT:
        word = rng.choice(list(v.architectures if spec is f.ARCHITECTURE else v.words))
        return word if op is Op.EQ else word[: rng.randint(1, len(word))]
    return choices[spec]()


def random_tree(rng: random.Random, v: Vocabulary | None = None) -> Node:
    """A normalized, valid tree over ``v``: at most MAX_DEPTH levels and MAX_LEAVES leaves."""
    vocab = v or Vocabulary()
    budget = [rng.randint(1, MAX_LEAVES)]

    def grow(room: int) -> Node:
        if room == 0 or budget[0] <= 1 or rng.random() < 0.3:
            budget[0] -= 1
            return random_leaf(rng, vocab)
        kind = rng.choice(("and", "or", "not"))
        if kind == "not":
            return Not(grow(room - 1))
        children = []
        for _ in range(rng.randint(2, 4)):
            if budget[0] <= 0:
                break
            children.append(grow(room - 1))
        return (And if kind == "and" else Or)(tuple(children))

    # A negated leaf already uses a level, so leaves start one level short of the limit.
    return normalize(grow(MAX_DEPTH - 1))


def random_record(rng: random.Random, v: Vocabulary | None = None, n: int = 0) -> Record:
    """A model over ``v`` that some random trees keep and others do not."""
    vocab = v or Vocabulary()

    def some(options: Sequence[str]) -> frozenset[str]:
        return frozenset(o for o in options if rng.random() < 0.4)

    lo, hi = vocab.parameters
    return Record(
        f"model-{n}-v1",
        family=rng.choice(list(vocab.families)),
        architecture=rng.choice(list(vocab.architectures)),
        quality_score=round(rng.uniform(*vocab.quality), 2),
        parameter_count=rng.randint(lo, hi),
        created_at=vocab.since + timedelta(days=rng.randrange(vocab.days), seconds=rng.random()),
        metrics={m: rng.uniform(a, b) for m, (a, b) in vocab.metrics.items() if rng.random() < 0.6},
        tags={k: rng.choice(list(vs)) for k, vs in vocab.tags.items() if rng.random() < 0.6},
        aliases=some(vocab.aliases),
        warnings=some([w.value for w in WarningCode]),
        trained_on=some(vocab.refs.get("trained_on", ())),
        produced_by=some(vocab.refs.get("produced_by", ())),
        tests_hypothesis=some(vocab.refs.get("tests_hypothesis", ())),
        derived_from=some(vocab.refs.get("derived_from", ())),
        is_latest=rng.random() < 0.5,
        archived=rng.random() < 0.2,
        title=" ".join(rng.sample(list(vocab.words), 2)),
        description=rng.choice(list(vocab.words)),
    )
