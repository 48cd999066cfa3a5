"""Where the bytes are: URI and digest rules, and when two digests claim the same content.

A digest is stored as ``<algorithm>:<lower-case hex>``. A bare 8-hex digest is what MLflow
computes for a dataset and is stored as ``mlflow:<hex>``. Upper-case hex is folded to lower
case; the algorithm must already be lower case. Pure: no I/O.
"""

from __future__ import annotations

import re

from app.errors import InvalidInput

MAX_URI = 2048
MAX_DIGEST = 200
# Digests shorter than this many bits collide too easily to claim two versions hold the
# same bytes: an 8-hex MLflow digest has 32.
STRONG_BITS = 128
URI_SCHEMES = ("s3://", "gs://", "file://", "https://", "hf://", "abfss://", "az://",
               "dbfs:/", "runs:/", "models:/", "mlflow-artifacts:/")  # fmt: skip
# The bits of each known algorithm; any other is taken at its hex length x 4.
ALGORITHM_BITS = {"sha256": 256, "sha512": 512, "sha384": 384, "sha1": 160, "md5": 128,
                  "blake3": 256, "mlflow": 32}  # fmt: skip
_DIGEST = re.compile(r"([a-z][a-z0-9]{0,31}):([0-9a-fA-F]+)")
_MLFLOW = re.compile(r"[0-9a-fA-F]{8}")
_HEX_LENGTHS = {"sha256": 64, "sha512": 128, "sha384": 96, "sha1": 40, "md5": 32, "mlflow": 8}


def check_uri(uri: str, field: str = "uri") -> str:
    """The URI as given, or BAD_USER_INPUT naming ``field``."""
    if not uri or len(uri) > MAX_URI:
        raise InvalidInput(f"{field} must be 1 to {MAX_URI} characters", field=field)
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in uri):
        raise InvalidInput(f"{field} must not contain spaces or control characters", field=field)
    scheme = next((s for s in URI_SCHEMES if uri.startswith(s)), None)
    if scheme is None:
        raise InvalidInput(f"{field} must start with one of {', '.join(URI_SCHEMES)}", field=field)
    if len(uri) == len(scheme):
        raise InvalidInput(f"{field} names no location after {scheme}", field=field)
    return uri


def normalise_digest(digest: str, field: str = "digest") -> str:
    """The stored form of a digest, or BAD_USER_INPUT naming ``field``."""
    if len(digest) > MAX_DIGEST:
        raise InvalidInput(f"{field} is longer than {MAX_DIGEST} characters", field=field)
    if _MLFLOW.fullmatch(digest):
        return f"mlflow:{digest.lower()}"
    m = _DIGEST.fullmatch(digest)
    if m is None:
        raise InvalidInput(
            f"{field} must be <algorithm>:<hex> (for example sha256: and 64 hex characters) "
            "or an 8-hex MLflow dataset digest",
            field=field,
        )
    algorithm, hexpart = m.group(1), m.group(2)
    wanted = _HEX_LENGTHS.get(algorithm)
    if wanted is not None and len(hexpart) != wanted:
        raise InvalidInput(
            f"a {algorithm} digest has {wanted} hex characters, not {len(hexpart)}", field=field
        )
    return f"{algorithm}:{hexpart.lower()}"


def bits(digest: str) -> int:
    """How many bits a stored digest has."""
    algorithm, _, hexpart = digest.partition(":")
    return ALGORITHM_BITS.get(algorithm, len(hexpart) * 4)


def is_strong(digest: str | None) -> bool:
    return digest is not None and bits(digest) >= STRONG_BITS


def content_digest(digest: str | None) -> str | None:
    """The digest when it is strong enough to name the bytes (stored as content_digest)."""
    return digest if is_strong(digest) else None


def same_content(a: str | None, b: str | None) -> bool:
    """Whether two stored digests claim the same bytes: equal, and of at least 128 bits."""
    return a is not None and a == b and is_strong(a)


def check_size(size: object, field: str = "sizeBytes") -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 2**63:
        raise InvalidInput(f"{field} must be an integer from 0 to 2^63-1", field=field)
    return size
