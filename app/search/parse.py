"""The REST filter language: text to a checked, normalized tree, by recursive descent.

It reads like MLflow's search syntax for the common part and adds OR, NOT and parentheses:

    metrics.rmse < 0.05 AND family = 'statistical' AND tags.team = 'neuro'
    (family = 'biophysical' AND metrics.rmse < 0.1) OR NOT archived = true

Grammar (NOT binds tighter than AND, AND tighter than OR; tokens in app.search.tokens):

    filter     := or END
    or         := and ("OR" and)*
    and        := unary ("AND" unary)*
    unary      := "NOT" unary | "(" or ")" | comparison
    comparison := FIELD (OP value | "CONTAINS" value | "IS" ["NOT"] "NULL")
    value      := STRING | NUMBER | "TRUE" | "FALSE"

``a != v`` reads as ``NOT a = v`` and ``a IS NULL`` as ``NOT a IS NOT NULL``. Blank text is
no filter (None). Every refusal is InvalidInput: BAD_FILTER with ``position``, the 0-based
offset of the offending token; FILTER_TOO_COMPLEX for text longer than MAX_LENGTH, more
than MAX_LEAVES comparisons (at the first one too many), or nesting past MAX_DEPTH
(counted after normalizing, so without a position).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from app.errors import InvalidInput
from app.search import tokens
from app.search.fields import (
    BAD_FILTER,
    BY_NAME,
    CATALOG,
    Field,
    FieldSpec,
    Op,
    Param,
    bare_metric_name,
    field_list,
)
from app.search.tokens import T, Token, bad
from app.search.tree import (
    MAX_LEAVES,
    TOO_COMPLEX,
    And,
    Leaf,
    Node,
    Not,
    Or,
    check_limits,
    leaf,
)

MAX_LENGTH = 4000
# Parentheses and NOTs the text may stack before normalizing; far past what MAX_DEPTH lets
# through, and it keeps the descent's recursion shallow whatever the input.
MAX_NESTING = 32
_COMPARISONS = {op.value: op for op in (Op.EQ, Op.LT, Op.LTE, Op.GT, Op.GTE)}
_VALUES = (T.STRING, T.NUMBER, T.TRUE, T.FALSE)


def parse(text: str) -> Node | None:
    """The filter ``text`` says, normalized and within the limits; None when it is blank."""
    if len(text) > MAX_LENGTH:
        raise InvalidInput(
            f"a filter has at most {MAX_LENGTH} characters; this one has {len(text)}",
            code=TOO_COMPLEX,
            position=MAX_LENGTH,
        )
    if not text.strip():
        return None
    return check_limits(_Parser(tokens.tokenize(text)).filter())


class _Parser:
    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.at = 0
        self.leaves = 0
        self.nesting = 0

    def peek(self) -> Token:
        return self.toks[self.at]

    def take(self) -> Token:
        tok = self.toks[self.at]
        if tok.kind is not T.END:
            self.at += 1
        return tok

    def filter(self) -> Node:
        node = self.or_()
        end = self.peek()
        if end.kind is T.RPAREN:
            raise bad("unmatched ')'", end.pos)
        if end.kind is not T.END:
            raise bad(f"expected AND, OR or the end of the filter, found {end.shown}", end.pos)
        return node

    def or_(self) -> Node:
        children = [self.and_()]
        while self.peek().kind is T.OR:
            self.take()
            children.append(self.and_())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_(self) -> Node:
        children = [self.unary()]
        while self.peek().kind is T.AND:
            self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind is T.NOT:
            self.take()
            return Not(self.nested(tok, self.unary))
        if tok.kind is T.LPAREN:
            self.take()
            node = self.nested(tok, self.or_)
            close = self.peek()
            if close.kind is not T.RPAREN:
                raise bad(f"expected AND, OR or ')', found {close.shown}", close.pos)
            self.take()
            return node
        if tok.kind is T.FIELD:
            return self.comparison()
        raise bad(f"expected a field name, NOT or '(', found {tok.shown}", tok.pos)

    def nested(self, opening: Token, inner: Callable[[], Node]) -> Node:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise InvalidInput(
                f"parentheses and NOT nest more than {MAX_NESTING} deep at {opening.pos}",
                code=TOO_COMPLEX,
                position=opening.pos,
            )
        node = inner()
        self.nesting -= 1
        return node

    def comparison(self) -> Node:
        name = self.take()
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise InvalidInput(
                f"a filter has at most {MAX_LEAVES} conditions; found one more at {name.pos}",
                code=TOO_COMPLEX,
                position=name.pos,
            )
        field = _field(name)
        tok = self.take()
        if tok.kind is T.IS:
            negated = self.peek().kind is T.NOT
            if negated:
                self.take()
            null = self.take()
            if null.kind is not T.NULL:
                raise bad(f"expected NOT NULL or NULL after IS, found {null.shown}", null.pos)
            _allowed(field, Op.PRESENT, tok, "IS NOT NULL" if negated else "IS NULL")
            present = _leaf(field, Op.PRESENT, None, tok)
            return present if negated else Not(present)
        if tok.kind is T.CONTAINS:
            op = Op.CONTAINS
        elif tok.kind is T.OP:
            # `!=` compares as = and negates the leaf below.
            op = Op.EQ if tok.value == "!=" else _COMPARISONS[str(tok.value)]
        else:
            raise bad(
                f"expected an operator (=, !=, <, <=, >, >=, CONTAINS, IS) after {name.shown}, "
                f"found {tok.shown}",
                tok.pos,
            )
        _allowed(field, op, tok, tok.text.upper())
        value = self.take()
        if value.kind not in _VALUES:
            hint = ""
            if value.kind is T.FIELD and value.param is None:
                hint = f" (text is quoted: '{value.text}')"
            elif value.kind is T.NULL:
                hint = " (a missing value is tested with IS NULL)"
            raise bad(f"expected a value after {tok.shown}, found {value.shown}", value.pos, hint)
        compared = _leaf(field, op, value, value)
        return Not(compared) if tok.value == "!=" else compared


def _allowed(field: Field, op: Op, at: Token, spelled: str) -> None:
    if op not in field.spec.ops:
        allowed = ", ".join(o.value for o in field.spec.ops)
        raise bad(f"{field.spec.shown!r} takes {allowed}, not {spelled!r}", at.pos)


def _field(tok: Token) -> Field:
    name = str(tok.value)
    spec = BY_NAME.get(name)
    if spec is None:
        hint = ""
        close = difflib.get_close_matches(name, [s.name for s in CATALOG], n=1)
        if close:
            suggestion = close[0] + ("" if tok.param is None else f".{tok.param[:60]}")
            hint = f" (did you mean {suggestion!r}?)"
        raise InvalidInput(
            f"unknown field {tok.shown} at {tok.pos}{hint}; fields: {field_list()}",
            code=BAD_FILTER,
            position=tok.pos,
        )
    _check_bare(spec, tok)
    try:
        return Field(spec, tok.param)
    except InvalidInput as exc:
        raise bad(exc.message, tok.pos) from None


def _check_bare(spec: FieldSpec, tok: Token) -> None:
    param = tok.param
    if spec.param is not Param.METRIC or param is None or tok.quoted:
        return
    if not bare_metric_name(param):
        raise bad(f"the metric name {param!r}", tok.pos, f" needs backticks: {spec.name}.`{param}`")


def _leaf(field: Field, op: Op, value: Token | None, at: Token) -> Leaf:
    raw: object = None
    if value is not None:
        raw = value.kind is T.TRUE if value.kind in (T.TRUE, T.FALSE) else value.value
    try:
        return leaf(field, op, raw)
    except InvalidInput as exc:
        raise bad(exc.message, at.pos) from None
