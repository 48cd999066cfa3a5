"""The read model: every field, filter and sort of the catalog, declared once.

The resolvers, the compiled one-statement SQL and the cost estimate all read these
declarations; none of them knows a field the declarations do not name.
"""
