"""What one index entry holds, field by field: the contract between build, search and every engine.

The build layer turns an article into these fields (``indexer.build.document``);
an engine stores them as this table says; the search layer reads them back.
Each engine implements the same table, so a search over any engine reads the
same values.

- **text** fields arrive analysed (:class:`~indexer.engine.postings.FieldPostings`)
  with their text; the engine keeps their postings with positions (matching,
  phrases, BM25F lengths) and stores the text.
- **key** fields are matched whole: an article is found by its ``id``, and an
  update deletes a changed file's articles by ``file_key``.
- **column** fields are read for every document at once (facets, filters,
  reindex's change detection), as text or as bytes.
- **stored** fields come back with :meth:`EngineReader.stored` for the hits shown.
"""

from __future__ import annotations

TEXT_FIELDS: tuple[str, ...] = ("title", "body")
KEY_FIELDS: tuple[str, ...] = ("id", "file_key")
TEXT_COLUMNS: tuple[str, ...] = ("id", "source", "published", "story", "file_key")
BYTES_COLUMNS: tuple[str, ...] = ("actor_list", "file_hash", "signature")
STORED_FIELDS: tuple[str, ...] = (
    "id", "title", "body", "source", "source_name", "url", "published", "authors", "actor", "origin", "story",
)
ALL_FIELDS: frozenset[str] = frozenset((*TEXT_FIELDS, *KEY_FIELDS, *TEXT_COLUMNS, *BYTES_COLUMNS, *STORED_FIELDS))

ACTOR_SEPARATOR = "\x1f"  # joins actor names in the ``actor_list`` column
