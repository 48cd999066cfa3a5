"""A provenance-first model registry."""
