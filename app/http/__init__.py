"""The HTTP layer: one stack every request passes, the endpoints, and how errors are written."""
