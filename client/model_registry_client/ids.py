"""Lineage ids for things named outside the registry, made by the registry's own rule.

The registry derives such ids (an OpenLineage dataset, an MLflow model) as the kind, a slug of
the names and a short hash of them; a client that registers the same things must make the same
ids, so a test checks this copy against the registry's.
"""

from __future__ import annotations

import hashlib
import re

MAX_LINEAGE_LENGTH = 119
_HASH_LENGTH = 8


def derived_lineage_id(kind: str, *names: str) -> str:
    """The registry's stable lineage id for ``names``: ``<kind>-<slug>-<8 hex>``."""
    digest = hashlib.sha256("\x00".join(names).encode()).hexdigest()[:_HASH_LENGTH]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(names).lower()).strip("-")
    room = MAX_LINEAGE_LENGTH - len(kind) - len(digest) - 2
    slug = slug[:room].strip("-")
    return f"{kind}-{slug}-{digest}" if slug else f"{kind}-{digest}"
