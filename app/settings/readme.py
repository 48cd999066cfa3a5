"""The README's Configuration table, rendered from SETTINGS so the two cannot drift."""

from __future__ import annotations

from app import readme_tables
from app.settings.declarations import Setting, Value
from app.settings.table import SETTINGS

HEADING = "### Configuration"
HEADER = "| variable | type | default | meaning |\n|---|---|---|---|"


def shown(default: Value) -> str:
    """The default as the README shows it: a value to type, or `unset` / `empty`."""
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return "`1`" if default else "`0`"
    if isinstance(default, tuple):
        return f"`{','.join(default)}`" if default else "empty"
    if isinstance(default, float):
        return f"`{default:g}`"
    return f"`{default}`"


def accepted(setting: Setting) -> str:
    """The kind of value and the range that startup validation holds it to."""
    low, high, above = setting.at_least, setting.at_most, setting.above
    if low is not None and high is not None:
        return f"{setting.kind.value} {low:g}-{high:g}"
    bounds = [
        *([f">= {low:g}"] if low is not None else []),
        *([f"> {above:g}"] if above is not None else []),
        *([f"<= {high:g}"] if high is not None else []),
    ]
    return " ".join([setting.kind.value, *bounds])


def row(setting: Setting) -> str:
    """One markdown row: variable, type, default, meaning."""
    meaning = setting.help.replace("|", "\\|")
    return f"| `{setting.name}` | {accepted(setting)} | {shown(setting.default)} | {meaning} |"


def markdown_table() -> str:
    """The whole table, header included, one row per setting in table order."""
    return "\n".join([HEADER, *(row(s) for s in SETTINGS)]) + "\n"


def with_table(readme: str) -> str:
    """``readme`` with the first table under its Configuration heading replaced by ours."""
    return readme_tables.with_table(readme, HEADING, markdown_table())
