"""Matching and BM25F ranking of a query tree, vectorised over postings arrays.

The engine supplies postings (document numbers and term frequencies), field
lengths and phrase checks; everything else — boolean logic, facet-field
terms, dates, and the score — is array arithmetic here, so a query costs a
few numpy calls per term instead of a Python step per matching document.

BM25F (Robertson and Zaragoza) combines a term's frequency across fields
before saturating it::

    tf~ = sum over fields f of  weight_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
    score = idf * tf~ * (k1 + 1) / (tf~ + k1),   idf = ln(1 + (N - df + 0.5) / (df + 0.5))
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from indexer import analysis
from indexer.search import query

if TYPE_CHECKING:
    from indexer.search.snapshot import Snapshot

MAX_EXPANSION = 256  # words one prefix or fuzzy term may expand to
K1 = 1.2
DENSE_FROM = 50  # a term whose postings hold over 1/50 of the documents is scored in arrays over all of them


@dataclass(frozen=True)
class FieldWeight:
    weight: float
    b: float


FIELD_WEIGHTS = {"title": FieldWeight(weight=2.0, b=0.5), "body": FieldWeight(weight=1.0, b=0.75)}


@dataclass(frozen=True)
class Matches:
    docs: np.ndarray  # sorted, unique document numbers (int64)
    scores: np.ndarray  # float64, aligned with docs

    @staticmethod
    def empty() -> Matches:
        return Matches(np.empty(0, np.int64), np.empty(0, np.float64))


class Matcher:
    """Evaluates query trees against one snapshot; reports repairs and expansions."""

    def __init__(self, snap: Snapshot, warnings: list[str], expansions: set[str]) -> None:
        self.snap = snap
        self.reader = snap.reader
        self.cols = snap.columns
        self.norms = snap.field_norms
        self.warnings = warnings
        self.expansions = expansions

    def match(self, node: query.Node) -> Matches:
        return self._eval(node) or Matches.empty()

    # -- the tree ----------------------------------------------------------------

    def _eval(self, node: query.Node) -> Matches | None:
        """None: the node constrains nothing (only stop words), so it is left out."""
        if isinstance(node, query.MatchAll):
            return self._all()
        if isinstance(node, query.And):
            return self._and(node.items)
        if isinstance(node, query.Or):
            parts = [m for m in map(self._eval, node.items) if m is not None]
            return union(parts) if parts else None
        if isinstance(node, query.Not):
            inner = self._eval(node.item)
            return self._all() if inner is None else _without(self._all(), inner)
        if isinstance(node, (query.Word, query.Phrase)):
            return self._words(node.text, node.field)
        if isinstance(node, (query.Prefix, query.Fuzzy)):
            return self._expanded(node)
        if isinstance(node, query.Keyword):
            return self._keyword(node)
        if isinstance(node, query.Dates):
            return self._dates(node)
        raise TypeError(f"unknown query node {node!r}")

    def _and(self, items: tuple[query.Node, ...]) -> Matches | None:
        positives = [m for i in items if not isinstance(i, query.Not) if (m := self._eval(i))]
        negatives = [m for i in items if isinstance(i, query.Not) if (m := self._eval(i.item))]
        if not positives and not negatives:
            return None
        result = _intersection(positives) if positives else self._all()
        for neg in negatives:
            result = _without(result, neg)
        return result

    def _all(self) -> Matches:
        docs = np.flatnonzero(self.cols.live)
        return Matches(docs, np.zeros(len(docs)))

    # -- text --------------------------------------------------------------------

    def _fields(self, fieldname: str | None) -> tuple[str, ...]:
        return (fieldname,) if fieldname else query.TEXT_FIELDS

    def _words(self, text: str, fieldname: str | None) -> Matches | None:
        terms = analysis.terms(text)
        if not terms:
            return None
        fields = self._fields(fieldname)
        per_term = [self.term(t, fields) for t in terms]
        if len(terms) == 1:
            return per_term[0]
        candidates = _intersection(per_term)
        if not len(candidates.docs):
            return candidates
        phrase = distinct(np.concatenate([self.reader.phrase_docs(f, terms) for f in fields]))
        keep = np.isin(candidates.docs, phrase, assume_unique=True)
        return Matches(candidates.docs[keep], candidates.scores[keep])

    def term(self, term: str, fields: tuple[str, ...], weight: float = 1.0) -> Matches:
        """BM25F of one index term over ``fields``."""
        postings = [(f, *self.reader.postings(f, term)) for f in fields]
        postings = [(f, d, tf) for f, d, tf in postings if len(d)]
        if not postings:
            return Matches.empty()
        if len(postings) > 1 and sum(len(d) for _, d, _ in postings) * DENSE_FROM > self.cols.size:
            docs, pseudo = self._dense(postings)
        else:
            docs = postings[0][1] if len(postings) == 1 else distinct(np.concatenate([d for _, d, _ in postings]))
            pseudo = np.zeros(len(docs))
            for f, d, tf in postings:
                pseudo[np.searchsorted(docs, d)] += FIELD_WEIGHTS[f].weight * tf / self.norms[f][d]
            live = self.cols.live[docs]
            docs, pseudo = docs[live], pseudo[live]
        n = self.reader.doc_count
        df = len(docs)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return Matches(docs, weight * idf * pseudo * (K1 + 1) / (pseudo + K1))

    def _dense(self, postings: list[tuple[str, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """The live documents of a common term's postings in several fields, and their
        pseudo-frequencies, summed in arrays over every document: cheaper than merging
        long lists by sorting, once they hold more than a few percent of the index.
        (The same sums, in the same order: the same scores.)"""
        pseudo = np.zeros(self.cols.size)
        found = np.zeros(self.cols.size, bool)
        for f, d, tf in postings:  # (a field's documents are distinct)
            pseudo[d] += FIELD_WEIGHTS[f].weight * tf / self.norms[f][d]
            found[d] = True
        docs = np.flatnonzero(found & self.cols.live)
        return docs, pseudo[docs]

    def _expanded(self, node: query.Prefix | query.Fuzzy) -> Matches | None:
        words = analysis.terms(node.text)
        if isinstance(node, query.Fuzzy) and len(words) != 1:
            return self._words(node.text, node.field)
        fields = self._fields(node.field)
        if isinstance(node, query.Prefix):
            # Prefixes match the folded word, not its stem: bomb* -> bomber, bombing.
            found = {t for f in fields for t in self.reader.expand_prefix(f, analysis.fold(node.text), MAX_EXPANSION + 1)}
        else:
            found = set(self.snap.vocabulary.near(words[0], node.max_edits, MAX_EXPANSION + 1))
        if len(found) > MAX_EXPANSION:
            self.warnings.append(f"'{node}' matches too many words: only the first {MAX_EXPANSION} were used")
        chosen = sorted(found)[:MAX_EXPANSION]
        self.expansions.update(chosen)
        return union([self.term(t, fields) for t in chosen]) if chosen else Matches.empty()

    # -- facet fields ------------------------------------------------------------

    def _keyword(self, node: query.Keyword) -> Matches:
        cols = self.cols
        if node.field == "source":
            sid = cols.source_ids.get(self.snap.source_key(node.value))
            mask = cols.source == sid if sid is not None else np.zeros(cols.size, bool)
        else:
            mask = cols.actor_mask(self.snap.actor_ids(node.value))
        docs = np.flatnonzero(mask & cols.live)
        return Matches(docs, np.zeros(len(docs)))

    def _dates(self, node: query.Dates) -> Matches:
        day = self.cols.day
        lo = node.range.start.toordinal() if node.range.start else 1
        hi = node.range.end.toordinal() if node.range.end else 1 << 30
        docs = np.flatnonzero((day >= lo) & (day <= hi) & self.cols.live)
        return Matches(docs, np.zeros(len(docs)))


def union(parts: list[Matches]) -> Matches:
    if len(parts) == 1:
        return parts[0]
    every = np.concatenate([p.docs for p in parts])
    docs = distinct(every)
    scores = np.bincount(np.searchsorted(docs, every), weights=np.concatenate([p.scores for p in parts]), minlength=len(docs))
    return Matches(docs, scores)


def distinct(docs: np.ndarray) -> np.ndarray:
    """The distinct values of ``docs``, sorted. Document numbers come as sorted runs (one
    per field or term), which a stable sort merges instead of sorting anew; ``np.unique``
    hashes them instead since NumPy 2.3, 20-50x slower on posting lists of 100,000."""
    docs = np.sort(docs, kind="stable")
    keep = np.empty(len(docs), bool)
    keep[:1] = True
    np.not_equal(docs[1:], docs[:-1], out=keep[1:])
    return docs[keep]


def _intersection(parts: list[Matches]) -> Matches:
    result = min(parts, key=lambda m: len(m.docs))
    docs, scores = result.docs, result.scores.copy()
    for part in parts:
        if part is result:
            continue
        docs, mine, theirs = np.intersect1d(docs, part.docs, assume_unique=True, return_indices=True)
        scores = scores[mine] + part.scores[theirs]
    return Matches(docs, scores)


def _without(base: Matches, removed: Matches) -> Matches:
    keep = ~np.isin(base.docs, removed.docs, assume_unique=True)
    return Matches(base.docs[keep], base.scores[keep])


FEEDBACK_DOCS = 5
FEEDBACK_TERMS = 10
FEEDBACK_WEIGHT = 1.0
FEEDBACK_FROM_TERMS = 4  # queries this verbose are natural-language questions


def with_feedback(matcher: Matcher, found: Matches, query_terms: set[str]) -> Matches:
    """Pseudo-relevance feedback (in the manner of RM3): words typical of the best
    matches re-rank the matches. It never adds or removes a match.

    Only worth it for verbose, natural-language queries ("which countries ... ?"),
    where the words people use and the words articles use differ most.
    """
    if len(query_terms) < FEEDBACK_FROM_TERMS or len(found.docs) <= FEEDBACK_DOCS:
        return found
    snap = matcher.snap
    best = np.argsort(-found.scores, kind="stable")[:FEEDBACK_DOCS]
    top_score = found.scores[best[0]]
    n = snap.reader.doc_count
    df = snap.vocabulary.frequency
    weights: dict[str, float] = {}
    for i in best:
        rec = snap.record(int(found.docs[i]))
        counts = Counter(analysis.terms(rec.title + "\n" + rec.body))
        length = sum(counts.values())
        if not length:
            continue
        doc_weight = math.exp(found.scores[i] - top_score) / length
        for term, count in counts.items():
            if term not in query_terms:
                idf = math.log(n / max(df.get(term, 1), 1))
                weights[term] = weights.get(term, 0.0) + doc_weight * count * idf
    expansion = sorted(weights, key=lambda t: -weights[t])[:FEEDBACK_TERMS]
    if not expansion:
        return found
    top = weights[expansion[0]]
    extra = union([matcher.term(t, query.TEXT_FIELDS, FEEDBACK_WEIGHT * weights[t] / top) for t in expansion])
    _, mine, theirs = np.intersect1d(found.docs, extra.docs, assume_unique=True, return_indices=True)
    scores = found.scores.copy()
    scores[mine] += extra.scores[theirs]
    return Matches(found.docs, scores)
