"""The query layer: SearchRequest -> SearchResult over one index snapshot.

The walk: parse the query -> resolve facet values (aliases, source keys) ->
the engine matches and scores -> filters and disjunctive facet counts on
in-memory columns -> sort, collapse stories, page -> hits with snippets.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from indexer import analysis
from indexer.search import query, snippets
from indexer.search.facets import FacetFilters, count_facets
from indexer.search.matching import Matcher, union, with_feedback
from indexer.search.request import SearchRequest
from indexer.search.results import Hit, SearchResult
from indexer.search.snapshot import Snapshot

_FAR_PAST, _FAR_FUTURE = -1, 1 << 30  # sort keys for undated articles
# Other copies of a story listed with its hit, best first: a press release carried by
# hundreds of outlets would otherwise cost a stored article each, on every search.
OTHER_OUTLETS = 5
_UNMARKED = snippets.Marker()  # other outlets' titles: nothing marked


@dataclass
class _Ranked:
    docnums: np.ndarray
    scores: np.ndarray


def run_search(snap: Snapshot, request: SearchRequest) -> SearchResult:
    started = time.perf_counter()
    parsed = query.parse(request.q)
    warnings = list(parsed.warnings)
    node = parsed.node
    if request.match == "any":
        node = query.any_word(node)
    expansions: set[str] = set()
    matcher = Matcher(snap, warnings, expansions)
    found = matcher.match(node)
    loosened = False
    if not len(found.docs) and request.match == "all" and (looser := query.any_word(node)) != node:
        found = matcher.match(looser)
        if len(found.docs):
            node, loosened = looser, True
            warnings.append("no article has all the words: showing articles with any of them")
    if request.match == "any" and request.sort == "relevance":
        found = with_feedback(matcher, found, set(snippets.marker_for(node).terms))
    docnums, scores = found.docs, found.scores
    cols = snap.columns

    filters = FacetFilters.build(snap, request)
    matched = np.zeros(cols.size, bool)
    matched[docnums] = True
    facets = count_facets(snap, request, matched, filters)
    keep = filters.all_mask(matched)
    selected = keep[docnums]
    ranked = _sort(snap, _Ranked(docnums[selected], scores[selected]), request.sort)
    total_articles = len(ranked.docnums)
    stories = snap.columns.story[ranked.docnums] if request.collapse else None
    order = np.arange(total_articles) if stories is None else _collapse(stories)
    first = (request.page - 1) * request.page_size
    page = order[first : first + request.page_size]

    marker = snippets.marker_for(node, expansions)
    hits = tuple(
        _hit(snap, ranked, i, marker, request.snippets, () if stories is None else _others(stories, i))
        for i in page
    )
    suggestion = None
    if (len(order) < 3 or loosened) and request.q.strip():
        suggestion = snap.suggest(parsed.node, 0 if loosened else len(order))
    return SearchResult(
        request=request,
        hits=hits,
        total=len(order),
        total_articles=total_articles,
        facets=facets,
        took_ms=(time.perf_counter() - started) * 1000,
        parsed=parsed.text,
        warnings=tuple(dict.fromkeys(warnings)),
        suggestion=suggestion,
    )


def _sort(snap: Snapshot, r: _Ranked, sort: str) -> _Ranked:
    day = snap.columns.day[r.docnums]
    if sort == "relevance":
        order = np.lexsort((r.docnums, -day, -r.scores))
    elif sort == "newest":
        order = np.lexsort((-r.scores, -np.where(day == 0, _FAR_PAST, day)))
    else:
        order = np.lexsort((-r.scores, np.where(day == 0, _FAR_FUTURE, day)))
    return _Ranked(r.docnums[order], r.scores[order])


def _collapse(stories: np.ndarray) -> np.ndarray:
    """Positions of the first (best) article of each story, ``stories`` being the ranked
    articles' story ids."""
    _, first = np.unique(stories, return_index=True)
    return np.sort(first)


def _others(stories: np.ndarray, i: int) -> np.ndarray:
    """Positions of the other articles of the story of the ``i``-th ranked article."""
    same = np.flatnonzero(stories == stories[i])
    return same[same != i]


def _hit(
    snap: Snapshot,
    r: _Ranked,
    i: int,
    marker: snippets.Marker,
    with_snippet: bool,
    others: np.ndarray | tuple = (),
) -> Hit:
    """The ``i``-th ranked article as a hit: the one place a :class:`Hit` is made (search
    hits, the other outlets listed in them, more like this). ``others``: the positions of
    its story's other copies, when results are collapsed."""
    docnum = int(r.docnums[i])
    rec = snap.record(docnum)
    return Hit(
        id=rec.id,
        title=rec.title,
        title_html=snippets.highlight(rec.title, marker),
        source=rec.source,
        source_name=rec.source_name,
        published=rec.published,
        actors=rec.actors,
        url=rec.url,
        score=round(float(r.scores[i]), 4),
        snippet=snippets.snippet(rec.body, marker) if with_snippet else "",
        authors=rec.authors,
        story=rec.story,
        other_outlets=tuple(_hit(snap, r, int(j), _UNMARKED, False) for j in others[:OTHER_OUTLETS]),
        other_outlet_count=len(others),
    )


MLT_TERMS = 12


def more_like_this(snap: Snapshot, article_id: str, limit: int) -> list[Hit]:
    """Rank by the article's most distinctive words (tf x idf), its own story left out."""
    docnum = snap.reader.docnum_of(article_id)
    if docnum is None:
        return []
    rec = snap.record(docnum)
    tf = Counter(analysis.terms(rec.title + "\n" + rec.body))
    n = snap.reader.doc_count
    df = snap.vocabulary.frequency
    # Words no other article has cannot find anything: only shared words count.
    weight = {t: c * math.log(1 + n / df[t]) for t, c in tf.items() if df.get(t, 0) >= 2}
    if not weight:
        return []
    top = sorted(weight, key=lambda t: -weight[t])[:MLT_TERMS]
    matcher = Matcher(snap, [], set())
    found = union([matcher.term(t, query.TEXT_FIELDS, weight[t] / weight[top[0]]) for t in top])
    docnums, scores = found.docs, found.scores
    cols = snap.columns
    keep = cols.story[docnums] != cols.story[docnum]
    ranked = _sort(snap, _Ranked(docnums[keep], scores[keep]), "relevance")
    order = _collapse(snap.columns.story[ranked.docnums])[:limit]
    marker = snippets.Marker(frozenset(top))
    return [_hit(snap, ranked, int(i), marker, True) for i in order]
