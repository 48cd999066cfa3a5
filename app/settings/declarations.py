"""How one setting is declared, and how its environment variable is read and checked."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Relative default paths (the embedded server's data folder) are inside the project folder, so
# `make run` finds the same database from wherever it is started.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})

Value = int | float | bool | str | Path | tuple[str, ...] | None


class SettingError(ValueError):
    """A setting the server refuses to start with; the message names its variable."""


class Kind(enum.Enum):
    """What an environment variable holds, and so what its Settings attribute is."""

    INT = "integer"
    FLOAT = "number"
    FLAG = "flag"
    # Three states: unset (None) lets the code decide, 1 and 0 force it.
    OPTIONAL_FLAG = "optional flag"
    STRING = "string"
    OPTIONAL_STRING = "optional string"
    PATH = "path"
    LIST = "comma-separated list"


@dataclass(frozen=True)
class Setting:
    """One row of the table: variable, attribute, kind, default, help, accepted range."""

    name: str
    attr: str
    kind: Kind
    default: Value
    help: str
    at_least: float | None = None
    above: float | None = None
    at_most: float | None = None

    def read(self, env: Mapping[str, str]) -> Value:
        """Parse this setting from ``env``; unset or empty means the default."""
        raw = env.get(self.name, "").strip()
        if raw == "":
            if self.kind is Kind.PATH and isinstance(self.default, str):
                return PROJECT_ROOT / self.default
            return self.default
        value = self._parse(raw)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self._check_range(value, raw)
        return value

    def _parse(self, raw: str) -> Value:
        match self.kind:
            case Kind.INT:
                try:
                    return int(raw)
                except ValueError:
                    raise self.refuse("must be an integer", raw) from None
            case Kind.FLOAT:
                try:
                    number = float(raw)
                except ValueError:
                    raise self.refuse("must be a number", raw) from None
                if not math.isfinite(number):
                    raise self.refuse("must be a finite number", raw)
                return number
            case Kind.FLAG | Kind.OPTIONAL_FLAG:
                # A typo must not pass for "off": REGISTRY_REQUIRE_READ_AUTH=ture would open reads.
                word = raw.lower()
                if word in TRUE_WORDS or word in FALSE_WORDS:
                    return word in TRUE_WORDS
                raise self.refuse("must be 1/true/yes/on or 0/false/no/off", raw)
            case Kind.STRING | Kind.OPTIONAL_STRING:
                return raw
            case Kind.PATH:
                return Path(raw)
            case Kind.LIST:
                return tuple(item.strip() for item in raw.split(",") if item.strip())

    def _check_range(self, value: float, raw: str) -> None:
        low, high, above = self.at_least, self.at_most, self.above
        if low is not None and high is not None and not low <= value <= high:
            raise self.refuse(f"must be between {low:g} and {high:g}", raw)
        if low is not None and value < low:
            raise self.refuse(f"must be at least {low:g}", raw)
        if high is not None and value > high:
            raise self.refuse(f"must be at most {high:g}", raw)
        if above is not None and value <= above:
            raise self.refuse(f"must be greater than {above:g}", raw)

    def refuse(self, rule: str, raw: str) -> SettingError:
        """The error for a value of this setting that breaks ``rule``."""
        return SettingError(f"{self.name} {rule}, got {raw!r}")
