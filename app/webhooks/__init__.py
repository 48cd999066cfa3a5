"""Webhooks: the change feed's events POSTed, signed, to receivers' URLs."""
