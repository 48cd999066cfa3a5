"""The roots of a compiled read: lookups, pages, the lineage walk and the comparison."""

from __future__ import annotations

from collections.abc import Callable

from app import ids, lineage_cut
from app.readmodel import filters, page_sql, tree_sql
from app.repo import metric_declarations as declaration_repo
from app.repo import refs as refs_sql
from app.repo.compiled import finish, plan
from app.repo.compiled.render import Renderer, _text
from app.repo.lineage import EDGES, walk_sql
from app.search import model_lists
from app.search.tree import Node
from app.service.compare import MAX_MODELS, MIN_MODELS


def render(
    read: plan.Read,
) -> tuple[str, tuple[object, ...], tuple[finish.Finisher | finish.Cursors, ...]]:
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
    def where(a: str, tree: Node | None = value.where) -> str:
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
        if tree is not None:
            conditions.append(tree_sql.condition(tree, a, r.param))
        return " and ".join([f"{a}.kind = '{value.kind}'", *conditions])

    def walk(a: str) -> page_sql.Walk | None:
        found = model_lists.trained_on(value.where) if value.metric is not None else None
        return None if found is None else page_sql.Walk(found[0], where(a, found[1]))

    if value.assumed is not None:
        assert value.metric is not None
        assumed = (
            f"{declaration_repo.direction_sql(r.param(value.metric, 'text'))} = '{value.assumed}'"
        )
        r.guards.append(assumed)
    order = value.order if value.kind == "model" else page_sql.Order()
    limit = value.page.limit
    readers = [p for _, p in value.fields if p in _READS_ROWS or isinstance(p, plan.Obj)]
    # Whether there is a next page is the one row read past the page.
    peeks = any(part in _PEEKS for part in readers)
    rows = ""
    if readers:  # a total or a __typename alone reads no page (nor binds its values)
        pg = r.alias()
        walked = walk(pg)
        rows = page_sql.page_rows(
            pg,
            where(pg) if walked is None else None,
            order,
            r.param,
            after=value.after,
            count=limit + 1 if peeks else limit,
            offset=value.page.offset,
            driven=value.driven,
            walk=walked,
        )
    p = r.alias()
    in_order = page_sql.outer_order(p, order)
    # One reader of the rows reads them in place; several share them, read once.
    shared = peeks or len(readers) > 1
    shown, lim = f"({rows}) {p}", ""
    if shared:
        # Bound once, and every reader of the shared rows mentions it (a parameter the
        # statement never mentions has no type).
        lim = r.param(limit, "int8")
        shown = f"(select * from fetched {p} order by {in_order} limit {lim}) {p}"
    pairs = []
    for key, part in value.fields:
        if isinstance(part, plan.Const):
            pairs.append((key, _text(part.value)))
        elif part == "total":
            pairs.append((key, total(r, value, where)))
        elif part == "hasNextPage":
            pairs.append((key, f"((select count(*) from fetched) > {lim})"))
        elif part in ("cursors", "nextCursor"):
            pairs.append((key, _cursor_inputs(r, key, part, value, p, in_order, shown, lim)))
        elif isinstance(part, plan.Obj):
            item = r.obj(p, part)
            listed = f"coalesce(json_agg({item} order by {in_order}), '[]'::json)"
            pairs.append((key, f"(select {listed} from {shown})"))
        else:
            raise AssertionError(part)
    if not shared:
        return r.build(pairs)
    return f"(with fetched as materialized ({rows}) select {r.build(pairs)})"


_PEEKS = ("nextCursor", "hasNextPage")
_READS_ROWS = ("cursors", *_PEEKS)


def _cursor_inputs(
    r: Renderer,
    key: str,
    part: str,
    value: plan.ListPage,
    p: str,
    in_order: str,
    shown: str,
    lim: str,
) -> str:
    """The [sort value, id] pairs a cursor finisher turns into cursors (app.search.cursor)."""
    sql_type = "float8" if value.metric is not None else page_sql.SQL_TYPES[value.sort]
    r.finishers.append(
        finish.Cursors(r.root_key, key, value.fingerprint, sql_type, last=part == "nextCursor")
    )
    pair = f"json_build_array({p}.sort_key, {p}.id)"
    if part == "cursors":
        return f"(select coalesce(json_agg({pair} order by {in_order}), '[]'::json) from {shown})"
    more = f"(select count(*) from fetched) > {lim}"
    last = f"(select {pair} from {shown} order by {_reversed(in_order)} limit 1)"
    return f"(case when {more} then {last} end)"


def _reversed(order: str) -> str:
    """ORDER BY terms the other way round (the last item first)."""
    flipped = []
    for term in order.split(", "):
        if term.endswith(" desc"):
            flipped.append(term[: -len(" desc")] + " asc")
        elif term.endswith(" asc"):
            flipped.append(term[: -len(" asc")] + " desc")
        else:
            flipped.append(term + " desc")
    return ", ".join(flipped)


def total(r: Renderer, value: plan.ListPage, where: Callable[[str], str]) -> str:
    """A page's total: from the trigger-kept counters when only they filter models."""
    if (
        value.kind == "model"
        and not value.search
        and value.tag is None
        and value.alias is None
        and value.where is None
    ):
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
