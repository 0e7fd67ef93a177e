"""newsdex: full-text search for news articles.

The one API the CLI, the web app and other tools share::

    from indexer import Index, reindex
    reindex(["seeds"], "instance")
    with Index.open("instance") as index:
        for hit in index.search("Guterres").hits:
            print(hit.id, hit.title)
"""

from indexer.article import Article, Problem
from indexer.build.reindex import ReindexReport, reindex
from indexer.search.index import Index, IndexNotFound, IndexUnusable
from indexer.search.request import InvalidRequest, SearchRequest, make_request
from indexer.search.results import (
    ArticleRecord,
    Facet,
    FacetValue,
    Hit,
    IndexReport,
    IndexStats,
    SearchResult,
)
from indexer.store import StoreError

__all__ = [
    "Article",
    "ArticleRecord",
    "Facet",
    "FacetValue",
    "Hit",
    "Index",
    "IndexNotFound",
    "IndexReport",
    "IndexStats",
    "IndexUnusable",
    "InvalidRequest",
    "Problem",
    "ReindexReport",
    "SearchRequest",
    "SearchResult",
    "StoreError",
    "make_request",
    "reindex",
]
