"""WAL positions in X-Registry-Position, and the rule for which replica may serve a read."""

from __future__ import annotations

import pytest

from app.db import positions
from app.db.positions import DOWN, ReplicaState, can_serve

MAX_LAG = 1000


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("0/0", 0),
        ("0/16B3748", 0x16B3748),
        ("1/0", 1 << 32),
        ("ff/a", 0xFF << 32 | 0xA),
        (" 0/1 ", 1),
        ("FFFFFFFF/FFFFFFFF", 2**64 - 1),
    ],
)
def test_positions_read_as_postgresql_prints_them(text, position):
    assert positions.parse(text) == position
    assert positions.parse(positions.render(position)) == position


@pytest.mark.parametrize(
    "text", ["", "0", "0/", "/1", "1/2/3", "G/0", "-1/0", "0x1/0", "1/" + "F" * 9]
)
def test_anything_else_is_refused_with_its_code(text):
    with pytest.raises(positions.BadPosition) as refused:
        positions.parse(text)
    assert refused.value.code == "BAD_POSITION"
    assert positions.HEADER in refused.value.message


def test_a_long_refused_value_is_cut_in_the_message():
    with pytest.raises(positions.BadPosition) as refused:
        positions.parse("x" * 10_000)
    assert len(refused.value.message) < 200


@pytest.mark.parametrize(
    ("state", "floor", "serves"),
    [
        (DOWN, None, False),
        (DOWN, 0, False),
        (ReplicaState(500, 500), None, True),
        (ReplicaState(500, 500), 500, True),
        (ReplicaState(500, 500), 501, False),
        # Lag in bytes: at the limit serves, past it does not, even with a floor it reached.
        (ReplicaState(500, 500 + MAX_LAG), None, True),
        (ReplicaState(500, 501 + MAX_LAG), None, False),
        (ReplicaState(500, 501 + MAX_LAG), 100, False),
        # The primary did not answer the poll: lag unknown, the replica still serves.
        (ReplicaState(500, None), None, True),
        (ReplicaState(500, None), 600, False),
        # A poll of the primary that ran before the replica's: never a negative lag.
        (ReplicaState(700, 500), None, True),
    ],
)
def test_which_replica_may_serve_a_read(state, floor, serves):
    assert can_serve(state, floor, MAX_LAG) is serves
