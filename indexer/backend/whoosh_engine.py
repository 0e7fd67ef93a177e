"""The Whoosh backend: the only module that imports whoosh.

Everything above it speaks in :class:`~indexer.fields.Document` (to write),
query trees from :mod:`indexer.query` (to match) and plain values (to read),
so another engine can stand behind the same query layer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F
from whoosh.writing import IndexWriter

from indexer import analysis, query
from indexer.fields import Document

INDEX_NAME = "MAIN"
MAX_EXPANSION = 256  # terms one prefix or fuzzy word may expand to
TITLE_BOOST = 2.0
BM25_B = 0.75
BM25_K1 = 1.2


class NewsTokenizer(Tokenizer):
    """:func:`indexer.analysis.analyse` as a Whoosh analyzer (tokenizer | filters in one)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for term, pos, start, end in analysis.analyse(value):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def make_schema() -> Schema:
    text = NewsTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True),
        body=TEXT(analyzer=text, stored=True),
        source=ID(stored=True, sortable=True),
        source_name=STORED,
        url=STORED,
        published=ID(stored=True, sortable=True),
        authors=STORED,
        actor=KEYWORD(stored=True, commas=True, scorable=False),
        origin=STORED,
        file_key=ID(stored=True),
        file_hash=STORED,
        story=ID(stored=True, sortable=True),
        signature=STORED,
    )


class WhooshIndex:
    """One index directory (one generation)."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix

    @classmethod
    def create(cls, path: Path) -> WhooshIndex:
        path.mkdir(parents=True, exist_ok=True)
        return cls(whoosh_index.create_in(str(path), make_schema(), indexname=INDEX_NAME))

    @classmethod
    def open(cls, path: Path) -> WhooshIndex:
        return cls(whoosh_index.open_dir(str(path), indexname=INDEX_NAME))

    @staticmethod
    def exists(path: Path) -> bool:
        return whoosh_index.exists_in(str(path), indexname=INDEX_NAME)

    def size_bytes(self) -> int:
        folder = self._ix.storage.folder
        return sum(f.stat().st_size for f in os.scandir(folder) if f.is_file())

    def version(self) -> int:
        """Changes with every commit, so caches can key on it."""
        return self._ix.latest_generation()

    def writer(self, procs: int = 1, limitmb: int = 256) -> WhooshWriter:
        return WhooshWriter(self._ix.writer(procs=procs, limitmb=limitmb))

    def reader(self) -> WhooshReader:
        return WhooshReader(self._ix.searcher(weighting=_weighting()))


def _weighting() -> BM25F:
    return BM25F(B=BM25_B, K1=BM25_K1)


class WhooshWriter:
    def __init__(self, writer: IndexWriter) -> None:
        self._w = writer

    def add(self, doc: Document) -> None:
        self._w.add_document(**doc.fields())

    def delete_file(self, file_key: str) -> int:
        return self._w.delete_by_term("file_key", file_key)

    def commit(self, optimize: bool = False) -> None:
        self._w.commit(optimize=optimize)

    def cancel(self) -> None:
        self._w.cancel()


class WhooshReader:
    """A point-in-time view of the index: match, read stored fields and columns."""

    def __init__(self, searcher: Any) -> None:
        self._s = searcher
        self._r = searcher.reader()

    def close(self) -> None:
        self._s.close()

    @property
    def doc_count(self) -> int:
        return self._s.doc_count()

    @property
    def docnum_limit(self) -> int:
        """One past the highest document number (deleted ones included)."""
        return self._s.doc_count_all()

    # -- matching --------------------------------------------------------------

    def match(
        self, node: query.Node, warnings: list[str], expansions: set[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every live document matching ``node``, with its BM25F score.

        Repairs are appended to ``warnings``; the words that prefix and fuzzy
        terms expanded to are added to ``expansions`` (for highlighting).
        """
        q = _Translator(self._r, warnings, expansions).translate(node)
        if q is None:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        return self._run(q)

    def _run(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        matcher = q.matcher(self._s, self._s.context(weighting=self._s.weighting))
        ids: list[int] = []
        scores: list[float] = []
        add_id, add_score = ids.append, scores.append
        while matcher.is_active():
            add_id(matcher.id())
            add_score(matcher.score())
            matcher.next()
        return np.asarray(ids, np.int64), np.asarray(scores, np.float32)

    def match_any(
        self, terms: list[str], boosts: list[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Documents with any of these index terms, scored (for more-like-this)."""
        weights = boosts or [1.0] * len(terms)
        node = wq.Or(
            [
                q
                for t, w in zip(terms, weights)
                for q in (wq.Term("title", t, boost=w * TITLE_BOOST), wq.Term("body", t, boost=w))
            ]
        )
        return self._run(node)

    def live_docnums(self) -> np.ndarray:
        return np.fromiter(self._r.all_doc_ids(), np.int64)

    # -- stored values ---------------------------------------------------------

    def stored(self, docnum: int) -> dict[str, Any]:
        return self._s.stored_fields(docnum)

    def docnum_of(self, article_id: str) -> int | None:
        return self._s.document_number(id=article_id)

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        for docnum in self._r.all_doc_ids():
            yield self._r.stored_fields(docnum)

    # -- columns and vocabulary ------------------------------------------------

    def column(self, fieldname: str) -> list[str]:
        """The value of a single-valued sortable field for every document number."""
        values: list[str] = []
        for leaf, _offset in self._r.leaf_readers():
            # (Whoosh's multi-segment column reader skips segments without the column)
            if leaf.has_column(fieldname):
                values.extend(leaf.column_reader(fieldname, translate=True))
            else:
                values.extend([""] * leaf.doc_count_all())
        return values

    def keyword_postings(self, fieldname: str) -> Iterator[tuple[str, np.ndarray]]:
        """Each term of a keyword field with the live documents that carry it."""
        for term in self._r.lexicon(fieldname):
            text = term.decode("utf-8")
            ids = self._r.postings(fieldname, text).all_ids()
            yield text, np.fromiter(ids, np.int64)

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self._r.doc_frequency(fieldname, term)

    def terms_within(self, fieldname: str, term: str, max_edits: int) -> list[str]:
        return list(self._r.terms_within(fieldname, term, max_edits, prefix=1))



class _Translator:
    """Query tree -> Whoosh query over the current vocabulary."""

    def __init__(self, reader: Any, warnings: list[str], expansions: set[str]) -> None:
        self._r = reader
        self._warnings = warnings
        self._expansions = expansions

    def translate(self, node: query.Node) -> wq.Query | None:
        if isinstance(node, query.MatchAll):
            return wq.Every()
        if isinstance(node, query.And):
            return self._and(node)
        if isinstance(node, query.Or):
            parts = [q for q in map(self.translate, node.items) if q is not None]
            return wq.Or(parts) if parts else None
        if isinstance(node, query.Not):
            inner = self.translate(node.item)
            return wq.Every() if inner is None else wq.AndNot(wq.Every(), inner)
        if isinstance(node, (query.Word, query.Phrase)):
            return self._words(node.text, node.field)
        if isinstance(node, query.Prefix):
            return self._expanded(node, node.field)
        if isinstance(node, query.Fuzzy):
            return self._expanded(node, node.field)
        if isinstance(node, query.Keyword):
            return wq.Term(node.field, node.value)
        if isinstance(node, query.Dates):
            start, end = node.range.start, node.range.end
            return wq.TermRange(
                "published",
                start.isoformat() if start else None,
                end.isoformat() if end else None,
                constantscore=True,
            )
        raise TypeError(f"unknown query node {node!r}")

    def _and(self, node: query.And) -> wq.Query | None:
        positives, negatives = [], []
        for item in node.items:
            target = negatives if isinstance(item, query.Not) else positives
            q = self.translate(item.item if isinstance(item, query.Not) else item)
            if q is not None:
                target.append(q)
        if not positives and not negatives:
            return None
        base = wq.And(positives) if positives else wq.Every()
        return wq.AndNot(base, wq.Or(negatives)) if negatives else base

    def _words(self, text: str, fieldname: str | None) -> wq.Query | None:
        terms = analysis.terms(text)
        if not terms:
            return None
        return _over_fields(
            fieldname,
            lambda f, boost: (
                wq.Term(f, terms[0], boost=boost)
                if len(terms) == 1
                else wq.Phrase(f, terms, boost=boost)
            ),
        )

    def _expanded(self, node: query.Prefix | query.Fuzzy, fieldname: str | None) -> wq.Query | None:
        words = analysis.terms(node.text)
        if isinstance(node, query.Fuzzy) and len(words) != 1:
            return self._words(node.text, fieldname)
        fields = (fieldname,) if fieldname else query.TEXT_FIELDS
        expansions: set[str] = set()
        for f in fields:
            if isinstance(node, query.Prefix):
                # Prefixes match the folded word, not its stem: bomb* -> bomber, bombing.
                prefix = analysis.fold(node.text)
                found = self._r.expand_prefix(f, prefix)
            else:
                found = self._r.terms_within(f, words[0], node.max_edits, prefix=1)
            for i, term in enumerate(found):
                if i >= MAX_EXPANSION:
                    self._warnings.append(
                        f"'{node}' matches too many words: only the first {MAX_EXPANSION} were used"
                    )
                    break
                expansions.add(term.decode("utf-8") if isinstance(term, bytes) else term)
        if not expansions:
            return wq.NullQuery
        ordered = sorted(expansions)
        self._expansions.update(ordered)
        return _over_fields(
            fieldname, lambda f, boost: wq.Or([wq.Term(f, t, boost=boost) for t in ordered])
        )


def _over_fields(fieldname: str | None, make: Any) -> wq.Query:
    if fieldname:
        return make(fieldname, 1.0)
    return wq.Or([make("title", TITLE_BOOST), make("body", 1.0)])
