"""One open, immutable view of an index generation: engine reader, columns, aliases.

A snapshot is what a search runs against; :class:`indexer.Index` swaps in a
new one when the data directory moves to a new generation or commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from indexer import analysis
from indexer.actors import AliasTable, actor_key, load_aliases
from indexer.arrays import sorted_unique
from indexer.engine import Engine, EngineReader
from indexer.ingest.metadata import normalise_source
from indexer.memo import Memo
from indexer.search import query
from indexer.search.columns import Columns
from indexer.search.columns_file import columns_path, saved_or_built_columns
from indexer.search.field_norms import norms_path, saved_or_built_norms
from indexer.search.matching import Matcher
from indexer.search.results import ArticleRecord, IndexStats
from indexer.search.vocabulary import Vocabulary, saved_or_built_vocabulary, vocabulary_path
from indexer.store import GenerationMeta

log = logging.getLogger("newsdex.index")


def _aliases(path: Path | None) -> AliasTable:
    """The aliases ``path`` adds to the shipped ones; only the shipped ones if it is broken
    (searches go on; the next reindex refuses it, naming what is wrong)."""
    try:
        return load_aliases(path)
    except ValueError as err:
        log.warning("%s; searching with the shipped aliases only", err)
        return load_aliases()


class Snapshot:
    def __init__(self, generation: Path, meta: GenerationMeta, aliases_path: Path | None, engine: Engine) -> None:
        self.generation = generation
        self.meta = meta
        self.engine = engine.open(generation)
        self.reader: EngineReader = self.engine.reader()
        self.version = (generation.name, self.reader.version)
        self._aliases_path = aliases_path
        self.record = lru_cache(maxsize=4096)(self._record)
        self._copies = lru_cache(maxsize=256)(self._story_docnums)  # a page asks for the count too
        self._shown_actor = Memo(self._corpus_spelling, 100_000).__getitem__  # ~7 a record
        self._source_labels: dict[str, str] = {}

    def close(self) -> None:
        self.reader.close()

    def warm(self) -> None:
        """Load or build what every search needs of this generation (the facet columns,
        the length norms) now rather than in the first search."""
        _ = self.columns, self.field_norms

    @cached_property
    def aliases(self) -> AliasTable:
        """The shipped aliases, the data directory's and those its reindexes learned: loaded
        on first use (only actor values given by name need them; building them from the
        shipped lists is most of the cost of opening an index in a fresh process)."""
        return _aliases(self._aliases_path).with_learned(self.meta.learned_aliases)

    @cached_property
    def columns(self) -> Columns:
        return saved_or_built_columns(self.reader, columns_path(self.generation, self.version[1]))

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Title and body terms with their document frequencies (loaded on first use)."""
        return saved_or_built_vocabulary(self.reader, vocabulary_path(self.generation, self.version[1]))

    @cached_property
    def field_norms(self) -> dict[str, np.ndarray]:
        """BM25F length normalisation per text field (:mod:`indexer.search.field_norms`)."""
        return saved_or_built_norms(self.reader, self.columns.live, norms_path(self.generation, self.version[1]))

    @cached_property
    def stats(self) -> IndexStats:
        """What this version of the index holds, every source in ``top_sources`` (largest
        first): made once, as pages that show it are asked for often."""
        cols = self.columns
        live = cols.live
        dated = cols.day[live & (cols.day > 0)]
        sources = cols.source[live & (cols.source >= 0)]
        per_source = np.bincount(sources, minlength=len(cols.sources))
        counts = sorted(
            ((self.source_label(key), int(c)) for key, c in zip(cols.sources, per_source) if c),
            key=lambda kv: -kv[1],
        )
        return IndexStats(
            articles=int(live.sum()),
            sources=len(counts),
            stories=len(sorted_unique(cols.story[live])),
            first_date=dt.date.fromordinal(int(dated.min())) if len(dated) else None,
            last_date=dt.date.fromordinal(int(dated.max())) if len(dated) else None,
            undated=int((live & (cols.day == 0)).sum()),
            size_bytes=self.engine.size_bytes(),
            generation=f"{self.generation.name}.{self.version[1]}",
            built_at=self.meta.updated_at,
            schema_version=self.meta.schema_version,
            top_sources=tuple(counts),
            unread_files=len(self.meta.file_problems),
        )

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
            actors=tuple(dict.fromkeys(map(self._shown_actor, filter(None, s.get("actor", "").split(","))))),
            origin=s.get("origin", ""),
            story=s.get("story"),
        )

    def _corpus_spelling(self, name: str) -> str:
        """The corpus-wide spelling of an actor (the facet's), for this article's name."""
        cols = self.columns
        at = cols.actor_ids.get(actor_key(name))
        return cols.actors[at] if at is not None else name

    def article(self, article_id: str) -> ArticleRecord | None:
        docnum = self.reader.docnum_of(article_id)
        return None if docnum is None else self.record(docnum)

    def story_copies(self, article_id: str, limit: int | None = None, offset: int = 0) -> list[ArticleRecord]:
        end = None if limit is None else offset + limit
        return [self.record(int(d)) for d in self._copies(article_id)[offset:end]]

    def story_copy_count(self, article_id: str) -> int:
        return len(self._copies(article_id))

    def _story_docnums(self, article_id: str) -> np.ndarray:
        """The document numbers of the story's other live articles, newest first (by
        document number, highest first, on a tie: a stable order; undated last): from the columns, so a story
        carried by thousands of outlets costs only the records of the page shown."""
        docnum = self.reader.docnum_of(article_id)
        if docnum is None:
            return np.empty(0, np.int64)
        cols = self.columns
        same = np.flatnonzero((cols.story == cols.story[docnum]) & cols.live)
        same = same[same != docnum]
        return same[np.lexsort((-same, -cols.day[same]))]

    # -- facet values ----------------------------------------------------------

    def _actor_keys(self, value: str) -> list[str]:
        keys = dict.fromkeys((actor_key(self.aliases.canonical(value)), actor_key(value)))
        return [k for k in keys if k in self.columns.actor_ids]

    def actor_ids(self, value: str) -> list[int]:
        """Column ids of the actors ``value`` (any alias or spelling) stands for."""
        return [self.columns.actor_ids[k] for k in self._actor_keys(value)]

    def source_key(self, value: str) -> str:
        normalised = normalise_source(value)
        return normalised[0] if normalised else value.strip().casefold()

    @cached_property
    def _first_of_source(self) -> np.ndarray:
        """The first document of each source (by its number in the columns' sources)."""
        source = self.columns.source
        first = np.full(len(self.columns.sources), source.size, np.int64)
        known = source >= 0
        np.minimum.at(first, source[known], np.flatnonzero(known))
        return first

    def source_label(self, key: str) -> str:
        """How a source is shown: the outlet's name its first article gave (read when first
        asked for: a page shows a few of the thousands an archive holds)."""
        label = self._source_labels.get(key)
        if label is None:
            i = self.columns.source_ids.get(key)
            label = key if i is None else self.record(int(self._first_of_source[i])).source_name or key
            self._source_labels[key] = label
        return label

    def suggest(self, node: query.Node, found: int) -> str | None:
        """Did-you-mean: the query with rare words replaced by close, frequent ones.

        Offered only when the replacement finds more than the ``found`` results.
        """
        replaced = {w: better for w in query.words_of(node) if (better := self._respell(w))}
        if not replaced:
            return None
        suggestion = query.replace_words(node, replaced)
        found_then = len(Matcher(self, [], set()).match(suggestion).docs)
        return str(suggestion) if found_then > found else None

    def _respell(self, word: str) -> str | None:
        words = analysis.terms(word)
        if len(words) != 1:
            return None
        term = words[0]
        vocabulary = self.vocabulary
        freq = vocabulary.frequency.get(term, 0)
        edits = 1 if len(term) <= 4 else 2
        candidates = [t for t in vocabulary.near(term, edits, 20) if t != term]
        best = max(candidates, key=lambda t: vocabulary.frequency[t], default=None)
        if best is None or vocabulary.frequency[best] <= max(2 * freq, freq + 1):
            return None
        return self._surface_form(best)

    def _surface_form(self, term: str) -> str | None:
        """The word as articles write it (``Guterres``), not its stem (``guterr``)."""
        docnums = np.concatenate([self.reader.postings(f, term)[0][:3] for f in query.TEXT_FIELDS])
        for docnum in docnums:
            rec = self.record(int(docnum))
            for word in analysis.words(rec.title + "\n" + rec.body):
                if analysis.word_terms(word) == (term,):
                    return word
        return None
