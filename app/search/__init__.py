"""Composable model filters: the field catalog, the tree, the text language and its rendering.

Pure modules, no I/O: ``fields`` declares each leaf once, ``values`` reads and checks leaf
values, ``tree`` holds the nodes and their limits, ``tokens`` and ``parse`` read the REST
filter language, ``render`` writes a tree back as canonical text and fingerprints it.
"""
