"""Use cases shared by every surface (GraphQL, REST, the demo loader)."""
