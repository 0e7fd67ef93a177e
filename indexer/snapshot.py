"""One open, immutable view of an index generation: engine reader, columns, aliases.

A snapshot is what a search runs against; :class:`indexer.Index` swaps in a
new one when the data directory moves to a new generation or commit.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from indexer import analysis, query
from indexer.actors import AliasTable, actor_key, load_aliases
from indexer.backend.whoosh_engine import WhooshIndex, WhooshReader
from indexer.columns import Columns, load_columns
from indexer.metadata import normalise_source
from indexer.results import ArticleRecord
from indexer.store import GenerationMeta


class Snapshot:
    def __init__(self, generation: Path, meta: GenerationMeta, aliases_path: Path | None) -> None:
        self.generation = generation
        self.meta = meta
        self.engine = WhooshIndex.open(generation)
        self.version = (generation.name, self.engine.version())
        self.reader: WhooshReader = self.engine.reader()
        self.aliases: AliasTable = load_aliases(aliases_path).with_learned(meta.learned_aliases)
        self.record = lru_cache(maxsize=4096)(self._record)

    def close(self) -> None:
        self.reader.close()

    @cached_property
    def columns(self) -> Columns:
        return load_columns(self.reader)

    # -- stored articles -------------------------------------------------------

    def _record(self, docnum: int) -> ArticleRecord:
        s = self.reader.stored(docnum)
        published = s.get("published")
        return ArticleRecord(
            id=s["id"],
            title=s.get("title", ""),
            body=s.get("body", ""),
            source=s.get("source"),
            source_name=s.get("source_name") or s.get("source"),
            url=s.get("url"),
            published=dt.date.fromisoformat(published) if published else None,
            authors=tuple(s.get("authors") or ()),
            actors=tuple(a for a in s.get("actor", "").split(",") if a),
            origin=s.get("origin", ""),
            story=s.get("story"),
        )

    def article(self, article_id: str) -> ArticleRecord | None:
        docnum = self.reader.docnum_of(article_id)
        return None if docnum is None else self.record(docnum)

    def story_copies(self, article_id: str) -> list[ArticleRecord]:
        docnum = self.reader.docnum_of(article_id)
        if docnum is None:
            return []
        cols = self.columns
        same = np.flatnonzero((cols.story == cols.story[docnum]) & cols.live)
        copies = [self.record(int(d)) for d in same if d != docnum]
        return sorted(copies, key=lambda r: (r.published or dt.date.min, r.id), reverse=True)

    # -- facet values ----------------------------------------------------------

    def _actor_keys(self, value: str) -> list[str]:
        keys = dict.fromkeys((actor_key(self.aliases.canonical(value)), actor_key(value)))
        return [k for k in keys if k in self.columns.actor_terms]

    def actor_ids(self, value: str) -> list[int]:
        """Column ids of the actors ``value`` (any alias or spelling) stands for."""
        return [self.columns.actor_ids[k] for k in self._actor_keys(value)]

    def actor_terms(self, value: str) -> list[str]:
        """Every indexed spelling of the actors ``value`` stands for."""
        return [t for k in self._actor_keys(value) for t in self.columns.actor_terms[k]]

    def source_key(self, value: str) -> str:
        normalised = normalise_source(value)
        return normalised[0] if normalised else value.strip().casefold()

    @cached_property
    def _source_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        cols = self.columns
        for i, key in enumerate(cols.sources):
            docnum = int((cols.source == i).argmax())
            labels[key] = self.record(docnum).source_name or key
        return labels

    def source_label(self, key: str) -> str:
        return self._source_labels.get(key, key)

    def resolve_keywords(self, node: query.Node, warnings: list[str]) -> query.Node:
        """``actor:GSIM`` -> the indexed names of JNIM; ``source:www.X.com`` -> ``x.com``."""
        if isinstance(node, query.Keyword):
            if node.field == "source":
                return query.Keyword("source", self.source_key(node.value))
            names = self.actor_terms(node.value)
            if not names:
                return query.Keyword("actor", self.aliases.canonical(node.value))
            items = tuple(query.Keyword("actor", n) for n in names)
            return items[0] if len(items) == 1 else query.Or(items)
        if isinstance(node, (query.And, query.Or)):
            return type(node)(tuple(self.resolve_keywords(i, warnings) for i in node.items))
        if isinstance(node, query.Not):
            return query.Not(self.resolve_keywords(node.item, warnings))
        return node

    def suggest(self, node: query.Node, found: int) -> str | None:
        """Did-you-mean: the query with rare words replaced by close, frequent ones.

        Offered only when the replacement finds more than the ``found`` results.
        """
        replaced = {w: better for w in query.words_of(node) if (better := self._respell(w))}
        if not replaced:
            return None
        suggestion = query.replace_words(node, replaced)
        docnums, _ = self.reader.match(suggestion, [], set())
        return str(suggestion) if len(docnums) > found else None

    def _respell(self, word: str) -> str | None:
        words = analysis.terms(word)
        if len(words) != 1:
            return None
        term = words[0]
        freq = self._frequency(term)
        candidates = {t for f in query.TEXT_FIELDS for t in self.reader.terms_within(f, term, 2)}
        best = max(candidates - {term}, key=lambda t: (self._frequency(t), t), default=None)
        if best is None or self._frequency(best) <= max(2 * freq, freq + 1):
            return None
        return self._surface_form(best)

    def _frequency(self, term: str) -> int:
        return sum(self.reader.doc_frequency(f, term) for f in query.TEXT_FIELDS)

    def _surface_form(self, term: str) -> str | None:
        """The word as articles write it (``Guterres``), not its stem (``guterr``)."""
        docnums, _ = self.reader.match_any([term])
        for docnum in docnums[:3]:
            rec = self.record(int(docnum))
            for word in analysis.words(rec.title + "\n" + rec.body):
                if analysis.word_terms(word) == (term,):
                    return word
        return None
