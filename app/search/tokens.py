"""The tokens of the text filter language, read in one pass over the characters.

- Field names: ``[A-Za-z_][A-Za-z0-9_]*``, case-sensitive; ``metrics`` and ``tags`` (and
  their synonyms) continue with ``.`` and a parameter, bare (``metrics.rmse``,
  ``tags.data.split/holdout``) or, as MLflow allows, in backticks or double quotes
  (``metrics.`val loss```, ``metrics."val loss"``, the quote inside doubled). A bare metric
  name is ``[A-Za-z_][A-Za-z0-9_]*``; other names need quoting.
- Keywords, case-insensitive: AND OR NOT IS NULL CONTAINS TRUE FALSE.
- Strings in single or double quotes; the quote inside doubled (``'it''s'``). A backslash
  is an ordinary character (``'C:\\data'``): escaping with it, as MLflow allows, would make
  a string ending in a backslash impossible to write plainly.
- Numbers: ``-12``, ``0.05``, ``.5``, ``1e-3``, ``-2.5E+4``.
- Operators ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, and parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from app.errors import InvalidInput
from app.search.fields import BAD_FILTER


class T(Enum):
    FIELD = "a field"
    STRING = "a string"
    NUMBER = "a number"
    OP = "an operator"
    LPAREN = "'('"
    RPAREN = "')'"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    IS = "IS"
    NULL = "NULL"
    CONTAINS = "CONTAINS"
    TRUE = "true"
    FALSE = "false"
    END = "end"


KEYWORDS = {t.value.upper(): t for t in (T.AND, T.OR, T.NOT, T.IS, T.NULL, T.CONTAINS)} | {
    "TRUE": T.TRUE,
    "FALSE": T.FALSE,
}
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
_WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DIGITS = frozenset("0123456789")
_WORD = _WORD_START | _DIGITS
# What a bare parameter may be read as; parse.py then checks it against the field's rule, so
# `metrics.val-loss` is one token and its error can say to quote the name.
_BARE_PARAM = _WORD | frozenset("./-")


@dataclass(frozen=True)
class Token:
    """One token: its kind, where it starts, its source text and what it means.

    ``value`` is the name of a FIELD, the text of a STRING, the Decimal of a NUMBER and
    the spelling of an OP; ``param`` the parameter of a FIELD, when it has one."""

    kind: T
    pos: int
    text: str
    value: str | Decimal | None = None
    param: str | None = None
    # The parameter was quoted (so any metric name is allowed).
    quoted: bool = False

    @property
    def shown(self) -> str:
        """The token as an error message quotes it."""
        if self.kind is T.END:
            return "the end of the filter"
        return repr(self.text if len(self.text) <= 40 else self.text[:40] + "...")


def bad(message: str, pos: int, then: str = "") -> InvalidInput:
    """A BAD_FILTER error pointing at ``pos``: "``message`` at ``pos````then``"."""
    return InvalidInput(f"{message} at {pos}{then}", code=BAD_FILTER, position=pos)


def tokenize(text: str) -> list[Token]:
    """Every token of ``text``, ending with T.END."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "'\"":
            i = _string(text, i, out)
        elif c in _DIGITS or (c in "-." and _starts_number(text, i)):
            i = _number(text, i, out)
        elif c in _WORD_START:
            i = _word(text, i, out)
        elif c in "()":
            out.append(Token(T.LPAREN if c == "(" else T.RPAREN, i, c))
            i += 1
        elif text.startswith("==", i):
            raise bad("'==' is written '='", i)
        else:
            op = next((o for o in OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise bad(f"unexpected character {c!r}", i)
            out.append(Token(T.OP, i, op, op))
            i += len(op)
    out.append(Token(T.END, n, ""))
    return out


def _starts_number(text: str, i: int) -> bool:
    j = i + 1 if text[i] == "-" else i
    return text[j : j + 1] in _DIGITS or (text[j : j + 1] == "." and text[j + 1 : j + 2] in _DIGITS)


def _digits(text: str, i: int) -> int:
    while i < len(text) and text[i] in _DIGITS:
        i += 1
    return i


def _number(text: str, start: int, out: list[Token]) -> int:
    i = start + 1 if text[start] == "-" else start
    i = _digits(text, i)
    if i < len(text) and text[i] == ".":
        i = _digits(text, i + 1)
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        end = _digits(text, j)
        if end == j:
            raise bad("expected the digits of an exponent", j)
        i = end
    if i < len(text) and text[i] in _WORD:
        raise bad(f"unexpected character {text[i]!r} in a number", i)
    literal = text[start:i]
    out.append(Token(T.NUMBER, start, literal, Decimal(literal)))
    return i


def _quoted(text: str, start: int, what: str) -> tuple[str, int]:
    """The content of the quoted run opening at ``start`` and the index after it."""
    quote, parts, i = text[start], [], start + 1
    while True:
        end = text.find(quote, i)
        if end < 0:
            raise bad(
                f"unterminated {what}", start, f" (a {quote} inside one is doubled: {quote * 2})"
            )
        parts.append(text[i:end])
        if text.startswith(quote * 2, end):
            parts.append(quote)
            i = end + 2
            continue
        return "".join(parts), end + 1


def _string(text: str, start: int, out: list[Token]) -> int:
    value, end = _quoted(text, start, "string")
    out.append(Token(T.STRING, start, text[start:end], value))
    return end


def _word(text: str, start: int, out: list[Token]) -> int:
    i = start + 1
    while i < len(text) and text[i] in _WORD:
        i += 1
    word = text[start:i]
    keyword = KEYWORDS.get(word.upper())
    if keyword is not None:
        out.append(Token(keyword, start, word))
        return i
    if i >= len(text) or text[i] != ".":
        out.append(Token(T.FIELD, start, word, word))
        return i
    j = i + 1
    if text[j : j + 1] in ("`", '"'):
        param, end = _quoted(text, j, "name")
        out.append(Token(T.FIELD, start, text[start:end], word, param, quoted=True))
        return end
    end = j
    while end < len(text) and text[end] in _BARE_PARAM:
        end += 1
    if end == j:
        raise bad(f"expected a name after '{word}.'", j)
    out.append(Token(T.FIELD, start, text[start:end], word, text[j:end]))
    return end
