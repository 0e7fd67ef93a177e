"""Searching an index: the request, the query language, matching and BM25F ranking,
facets over per-document columns, snippets, and the public :class:`Index`."""
