"""OpenLineage events: the vendored spec, their reading, and their mapping onto the catalog."""
