"""All SQL lives here. Functions take a connection first and return domain dataclasses."""
