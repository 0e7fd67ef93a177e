"""Article -> Document: the analysed fields one index entry holds.

An article gains what needs the whole corpus or extra passes: its actors
(canonical names), its story, where it came from, and its title and body
analysed (:mod:`indexer.analysis`) into the engine's postings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indexer.article import Article
from indexer.engine.postings import FieldPostings
from indexer.engine.schema import ACTOR_SEPARATOR


@dataclass(frozen=True)
class Document:
    article: Article
    actors: tuple[str, ...]  # canonical display names
    story: str  # shared by near-duplicate copies of one story
    file_key: str  # the file it came from, for incremental reindex
    file_hash: str  # content hash of that file
    signature: bytes  # near-duplicate signature (MinHash), kept for later runs
    analysed: dict[str, FieldPostings]  # text field -> its postings

    def fields(self) -> dict[str, Any]:
        """Field name -> value, as :mod:`indexer.engine.schema` names them; absent values are left out."""
        a = self.article
        values: dict[str, Any] = {
            "id": a.id,
            "title": a.title,
            "body": a.body,
            "source": a.source,
            "source_name": a.source_name,
            "url": a.url,
            "published": a.published.isoformat() if a.published else None,
            "authors": list(a.authors) or None,
            "actor": ",".join(name.replace(",", " ") for name in self.actors) or None,
            "actor_list": ACTOR_SEPARATOR.join(self.actors).encode("utf-8"),
            "origin": a.origin + (f":{a.line}" if a.line else ""),
            "file_key": self.file_key,
            "file_hash": self.file_hash.encode("ascii"),  # (a hex digest; a column holds bytes)
            "story": self.story,
            "signature": self.signature or None,
        }
        return {k: v for k, v in values.items() if v is not None}
