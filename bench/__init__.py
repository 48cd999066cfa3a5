"""Side-by-side benchmark of the registry, PostGraphile v4 and a hand-written floor (issue 8)."""
