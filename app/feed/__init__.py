"""The change feed: the outbox listener, live subscriptions and their upkeep."""
