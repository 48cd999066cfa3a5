"""What a case-insensitive title search matches. Pure functions; SQL is built from them.

ILIKE folds both sides to lower case, and some characters fold onto others: `İ` (dotted
capital I) becomes `i`, so searching for it matched every title with an i. Such characters
must match only themselves; every other letter matches either case.
"""

from __future__ import annotations


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere in a string."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def folds_lossily(c: str) -> bool:
    """True when lower- or upper-casing ``c`` does not come back to it (İ, ß, the dotless i)."""
    lower, upper = c.lower(), c.upper()
    return len(lower) != 1 or len(upper) != 1 or lower.upper() != upper or upper.lower() != lower


def exact_case_regex(text: str) -> str | None:
    """A regular expression (PostgreSQL's ARE) matching ``text`` with its lossy characters
    exactly and every other letter in either case; None when ILIKE alone is right."""
    if not any(folds_lossily(c) for c in text):
        return None
    parts = []
    for c in text:
        if folds_lossily(c):
            parts.append(_literal(c))
        elif c.lower() != c.upper():
            parts.append(f"[{c.lower()}{c.upper()}]")
        else:
            parts.append(_literal(c))
    return "".join(parts)


def _literal(c: str) -> str:
    # In an ARE a backslash before a letter or digit is an escape of its own (\\d, \\m...);
    # before anything else it means the character itself.
    return c if c.isalnum() else "\\" + c
