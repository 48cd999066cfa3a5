"""The roots of a compiled read: lookups, pages, the lineage walk and the comparison."""

from __future__ import annotations

from collections.abc import Callable

from app import ids, lineage_cut
from app.readmodel import filters
from app.repo import refs as refs_sql
from app.repo.compiled import finish, plan
from app.repo.compiled.render import Renderer, _text
from app.repo.lineage import EDGES, walk_sql
from app.service.compare import MAX_MODELS, MIN_MODELS


def render(read: plan.Read) -> tuple[str, tuple[object, ...], tuple[finish.Finisher, ...]]:
    """The statement answering ``read``, its parameters, and the parts a rule finishes."""
    r = Renderer()
    pairs = []
    for key, value in read.roots:
        r.root_key = key
        pairs.append((key, root(r, value)))
    return r.statement(r.build(pairs)), tuple(r.params), tuple(r.finishers)


def root(r: Renderer, value: plan.Root) -> str:
    if isinstance(value, plan.Const):
        return _text(value.value)
    if isinstance(value, plan.Lookup):
        return lookup(r, value)
    if isinstance(value, plan.ListPage):
        return list_page(r, value)
    if isinstance(value, plan.LineageWalk):
        return lineage(r, value)
    return comparison(r, value)


def _matching(r: Renderer, a: str, ref: str) -> str:
    """Rows ``a`` a ref names: the version with that id, the latest of that lineage, or the
    version of lineage@alias (looked up in this statement)."""
    p = r.param(ref, "text")
    if ids.aliased([ref]):
        # An unknown alias is an error, which the resolvers give.
        r.guards.append(refs_sql.alias_exists_sql(p))
    return refs_sql.names_sql(a, p, aliased=ids.aliased([ref]))


def lookup(r: Renderer, value: plan.Lookup) -> str:
    if not ids.possible_ref(value.ref):
        return "null"
    a = r.alias()
    kind = f" and {a}.kind = '{value.kind}'" if value.kind else ""
    body = r.obj(a, value.obj)
    return f"(select {body} from artifacts {a} where {_matching(r, a, value.ref)}{kind})"


def list_page(r: Renderer, value: plan.ListPage) -> str:
    def where(a: str) -> str:
        # Bound where used: a parameter the statement never mentions has no type, and
        # PostgreSQL refuses the statement (a page of only its total, or its __typename).
        conditions = filters.conditions(
            a,
            lambda v: r.param(v, "text"),
            family=value.family,
            latest_only=value.latest_only,
            search=value.search,
            tag=value.tag,
            alias=value.alias,
        )
        return " and ".join([f"{a}.kind = '{value.kind}'", *conditions])

    sort = filters.SORTS[value.sort].column if value.kind == "model" else "created_at"
    direction = "desc" if value.descending else "asc"
    pairs = []
    for key, part in value.fields:
        if isinstance(part, plan.Const):
            pairs.append((key, _text(part.value)))
        elif part == "total":
            pairs.append((key, total(r, value, where)))
        elif isinstance(part, plan.Obj):
            a, p = r.alias(), r.alias()
            rows = (
                f"(select * from artifacts {a} where {where(a)} "
                f"order by {a}.{sort} {direction}, {a}.id {direction} "
                # Bound, not written in: clients page through many offsets, one plan serves all.
                f"limit {r.param(value.page.limit, 'int')} "
                f"offset {r.param(value.page.offset, 'int')}) {p}"
            )
            order = f"{p}.{sort} {direction}, {p}.id {direction}"
            item = r.obj(p, part)
            pairs.append(
                (
                    key,
                    f"(select coalesce(json_agg({item} order by {order}), '[]'::json) from {rows})",
                )
            )
        else:
            raise AssertionError(part)
    return r.build(pairs)


def total(r: Renderer, value: plan.ListPage, where: Callable[[str], str]) -> str:
    """A page's total: from the trigger-kept counters when only they filter models."""
    if value.kind == "model" and not value.search and value.tag is None and value.alias is None:
        counted = "(select coalesce(sum(n), 0) from model_counts where latest_only = "
        counted += r.param(value.latest_only, "bool")
        if value.family is not None:
            counted += f" and family = {r.param(value.family, 'text')}"
        return counted + ")"
    a = r.alias()
    return f"(select count(*) from artifacts {a} where {where(a)})"


def lineage(r: Renderer, value: plan.LineageWalk) -> str:
    if not ids.possible_ref(value.ref):
        return "null"
    d, n = r.param(value.depth, "int"), r.param(value.limit, "int")
    st, na, e = r.alias(), r.alias(), r.alias()
    start = _matching(r, "s", value.ref)
    edge_fields = {
        "sourceId": f"{e}.source_id",
        "targetId": f"{e}.target_id",
        "type": f"upper({e}.type)",
        "pinned": f"{e}.pinned",
        "pinnedVersion": (
            f"(case when {e}.pinned then substring({e}.target_id from '-v([0-9]+)$')::int end)"
        ),
    }
    pairs = []
    for key, part in value.fields:
        if isinstance(part, plan.Const):
            pairs.append((key, _text(part.value)))
        elif part == "truncated":
            pairs.append((key, lineage_cut.truncated_sql(d, n)))
        elif isinstance(part, plan.Obj):
            pairs.append((key, r.obj(st, part)))
        elif isinstance(part, plan.Shaped) and part.name == "nodes":
            node = r.parts(part, {"distance": "k.d"}, lambda obj: r.obj(na, obj))
            pairs.append(
                (
                    key,
                    f"(select coalesce(json_agg({r.build(node)} order by k.d, k.id collate "
                    f"\"C\"), '[]'::json) from kept k join artifacts {na} on {na}.id = k.id)",
                )
            )
        elif isinstance(part, plan.Shaped) and part.name == "edges":
            edge = r.build(r.parts(part, edge_fields))
            pairs.append(
                (
                    key,
                    f"(select coalesce(json_agg({edge} order by {e}.depth, "
                    f'{e}.source_id collate "C", {e}.target_id collate "C", {e}.type), '
                    f"'[]'::json) from edges {e} where {lineage_cut.kept_edge_sql(e, d)})",
                )
            )
        else:
            raise AssertionError(part)
    walk = walk_sql(downstream=value.downstream, start="(select id from start)", depth=d)
    return (
        f"(with recursive start as (select * from artifacts s where {start}), {walk}, "
        f"edges as ({EDGES}), {lineage_cut.cut_sql(d, n)} "
        f"select {r.build(pairs)} from start {st})"
    )


def comparison(r: Renderer, value: plan.Comparison) -> str:
    """The compared models; the metric rows and the baseline are app.comparison's rule,
    applied to the inputs fetched here (app.repo.compiled.finish). A guard hands any unknown
    id or count problem to the resolvers."""
    p = r.param(list(value.ids), "text[]")
    matches = (
        f"unnest({p}) with ordinality as r(ref, n) join artifacts a on a.kind = 'model' "
        f"and {refs_sql.names_sql('a', 'r.ref', aliased=ids.aliased(value.ids))}"
    )
    found = f"select distinct on (a.id) a.*, r.n from {matches} order by a.id, r.n"
    # Every id names a model, and 2..10 distinct versions remain; else the resolvers answer.
    r.guards.append(
        f"(select count(distinct r.n) = {len(value.ids)} and count(distinct a.id) "
        f"between {MIN_MODELS} and {MAX_MODELS} from {matches})"
    )
    pairs = []
    for key, part in value.fields:
        if isinstance(part, plan.Const):
            pairs.append((key, _text(part.value)))
        elif isinstance(part, plan.Obj):
            pairs.append((key, f"(select json_agg({r.obj('m', part)} order by m.pos) from m)"))
        elif isinstance(part, plan.Shaped | str):
            shape = part if isinstance(part, plan.Shaped) else None
            r.finishers.append(finish.Finisher(r.root_key, key, shape, value.baseline))
            pairs.append((key, finish.INPUTS))
        else:
            raise AssertionError(part)
    return (
        f"(with m as (select f.*, row_number() over (order by f.n) as pos from ({found}) f) "
        f"select {r.build(pairs)})"
    )
