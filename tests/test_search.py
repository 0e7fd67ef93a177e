"""The query layer on a small newsroom corpus: query forms, facets, stories, paging."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from indexer import Index
from indexer.search import runner as search
from indexer.search.dates import bucket_counts, bucket_of
from indexer.search.matching import distinct

pytestmark = [pytest.mark.index]

def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def every_id(index: Index, q: str, **kw) -> set[str]:
    return set(ids(index.search(q, collapse=False, page_size=100, **kw)))


# -- query forms --------------------------------------------------------------------


def test_words_are_anded(newsroom):
    assert every_id(newsroom, "junta Mali") == {"coup-2"}


def test_phrase(newsroom):
    assert every_id(newsroom, '"political parties"') == {"coup-2"}
    assert every_id(newsroom, '"parties political"') == set()


def test_or_and_not(newsroom):
    assert every_id(newsroom, "Traoré OR ambush") == {"coup-1", "attack-1", "attack-2"}
    assert every_id(newsroom, "ambush -JNIM") == {"attack-1"}
    assert every_id(newsroom, "ambush NOT JNIM") == {"attack-1"}


def test_grouping(newsroom):
    assert every_id(newsroom, "(Traoré OR Mali) junta") == {"coup-1", "coup-2"}


def test_field_queries(newsroom):
    assert every_id(newsroom, "title:ambush") == {"attack-2"}
    assert every_id(newsroom, "source:riverwire.com") == {"wire-1", "coup-2"}
    assert every_id(newsroom, "source:www.riverwire.com junta") == {"coup-2"}


def test_date_queries(newsroom):
    assert every_id(newsroom, "date:2023") == {"attack-1", "attack-2"}
    assert every_id(newsroom, "date:2024-08") == {"wire-1", "wire-1-copy", "wire-1-reprint"}
    assert every_id(newsroom, "date:2024-04-01..2024-05-31") == {"coup-1", "coup-2"}


def test_prefix_matches_word_beginnings(newsroom):
    assert every_id(newsroom, "bomb*") == {"attack-2"}


def test_fuzzy_finds_misspellings(newsroom):
    assert every_id(newsroom, "Traore~") == {"coup-1"}
    assert every_id(newsroom, "ambsh~1") == {"attack-1", "attack-2"}


def test_actor_queries_go_through_aliases(newsroom):
    gsim, jnim = every_id(newsroom, "actor:GSIM"), every_id(newsroom, "actor:JNIM")
    assert gsim == jnim == {"attack-1", "attack-2"}


def test_when_no_article_has_all_words_any_word_counts(newsroom):
    result = newsroom.search("Traoré zebra")
    assert ids(result) == ["coup-1"]
    assert any("any of them" in w for w in result.warnings)


def test_broken_queries_never_raise_and_say_how_they_were_read(newsroom):
    for text in ['"unclosed', "(mali", "OR", "NOT", "title:", "colour:red", "a" * 2000, "*", "~"]:
        result = newsroom.search(text)
        assert result.total >= 0
    result = newsroom.search("(junta OR")
    assert result.parsed == "junta"
    assert result.warnings


def test_wildcards_are_bounded(newsroom, monkeypatch):
    from indexer.search import matching

    monkeypatch.setattr(matching, "MAX_EXPANSION", 3)
    result = newsroom.search("t*")
    assert any("too many words" in w for w in result.warnings)


# -- ranking and sorting --------------------------------------------------------------


def test_title_matches_rank_first(newsroom):
    assert ids(newsroom.search("ambush"))[0] == "attack-2"


def test_sort_newest_and_oldest_put_undated_last(newsroom):
    newest = ids(newsroom.search("", sort="newest", collapse=False, page_size=100))
    oldest = ids(newsroom.search("", sort="oldest", collapse=False, page_size=100))
    assert newest[0] == "wire-1-reprint" and newest[-1] == "undated-1"
    assert oldest[0] == "attack-1" and oldest[-1] == "undated-1"


def test_paging_totals(newsroom):
    first = newsroom.search("", page_size=3, collapse=False)
    third = newsroom.search("", page_size=3, page=3, collapse=False)
    assert first.total == 9 and first.pages == 3
    assert len(third.hits) == 3
    assert not set(ids(first)) & set(ids(third))
    assert newsroom.search("", page=9, collapse=False).hits == ()


# -- facets -----------------------------------------------------------------------------


def counts(result, field):
    return {v.value: v.count for v in result.facets[field].values}


def test_facets_count_all_matches_not_just_the_page(newsroom):
    result = newsroom.search("", page_size=1, collapse=False)
    assert counts(result, "source") == {
        "capital-times": 3, "sahel-daily": 3, "riverwire.com": 2, "b-evil-b-example": 1
    }
    labels = {v.value: v.label for v in result.facets["source"].values}
    assert labels["sahel-daily"] == "Sahel Daily"


def test_disjunctive_facets(newsroom):
    base = counts(newsroom.search("", collapse=False), "source")
    result = newsroom.search("", sources=["riverwire.com"], collapse=False)
    assert {h.source for h in result.hits} == {"riverwire.com"}
    # the source facet ignores its own filter, so other sources stay offered
    assert counts(result, "source") == base
    # other facets are narrowed by it
    assert sum(counts(result, "date").values()) == 2
    widened = newsroom.search("", sources=["riverwire.com", "Sahel Daily"], collapse=False)
    assert widened.total == 5


def test_facets_combine_with_and(newsroom):
    result = newsroom.search("", sources=["Sahel Daily"], dates=["2023"], collapse=False)
    assert ids(result) == ["attack-2"]


def test_actor_filter_through_aliases(newsroom):
    result = newsroom.search("", actors=["GSIM"], collapse=False)
    assert set(ids(result)) == {"attack-1", "attack-2"}


def test_date_facet_buckets_and_undated(newsroom):
    dates = newsroom.search("", collapse=False).facets["date"]
    assert dates.interval == "month"
    values = {v.value: v.count for v in dates.values}
    assert values["2024-08"] == 3 and values["undated"] == 1
    # every month from the first to the last, empty ones too (a histogram shows gaps)
    assert list(values)[:-1] == ["2023-11", "2023-12"] + [f"2024-{m:02d}" for m in range(1, 9)]
    assert values["2024-01"] == values["2024-06"] == 0
    assert newsroom.search("", dates=["undated"]).hits[0].id == "undated-1"


@pytest.mark.parametrize("interval", ["day", "month", "year"])
def test_date_buckets_are_counted_under_the_names_the_facet_lists(interval):
    # Counted with numpy's datetime64 units, listed by bucket_of: the two must name alike.
    days = [dt.date(999, 1, 5), dt.date(2024, 2, 29), dt.date(2024, 2, 29), dt.date(2024, 12, 31),
            dt.date(1, 1, 1)]
    counted = bucket_counts(np.array([d.toordinal() for d in days]), interval)
    assert counted == dict(Counter(bucket_of(d, interval) for d in days))


def test_date_range_filter_is_independent_of_the_query(newsroom):
    result = newsroom.search(
        "junta", date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 12, 31), collapse=False
    )
    assert ids(result) == ["coup-1"]


def test_full_facet_list(newsroom):
    assert len(newsroom.search("", facet_size=1).facets["source"].values) == 1
    assert len(newsroom.facet("source", "").values) == 4


# -- stories ----------------------------------------------------------------------------


def test_copies_of_one_story_collapse_to_one_hit(newsroom):
    result = newsroom.search("flood")
    assert result.total == 1 and result.total_articles == 3
    hit = result.hits[0]
    assert {o.id for o in hit.other_outlets} | {hit.id} == {"wire-1", "wire-1-copy", "wire-1-reprint"}


def test_a_hit_lists_its_best_other_copies_and_counts_them_all(newsroom, monkeypatch):
    monkeypatch.setattr(search, "OTHER_OUTLETS", 1)
    hit = newsroom.search("flood").hits[0]
    assert hit.other_outlet_count == 2 and len(hit.other_outlets) == 1
    ranked = [h.id for h in newsroom.search("flood", collapse=False).hits]
    assert hit.other_outlets[0].id == next(i for i in ranked if i != hit.id)


def test_collapsing_can_be_turned_off(newsroom):
    assert newsroom.search("flood", collapse=False).total == 3


def test_story_copies_of_an_article(newsroom):
    assert {a.id for a in newsroom.story_copies("wire-1")} == {"wire-1-copy", "wire-1-reprint"}
    assert newsroom.story_copy_count("wire-1") == 2
    assert newsroom.story_copies("coup-1") == [] and newsroom.story_copy_count("coup-1") == 0
    assert newsroom.story_copies("no-such-id") == [] and newsroom.story_copy_count("no-such-id") == 0


def test_story_copies_come_newest_first_undated_last_and_by_the_page(wide_story_data):
    newest_first = [f"wide-{i:02d}" for i in range(44, 0, -1) if i not in (7, 8)] + ["wide-08", "wide-07"]
    with Index.open(wide_story_data) as index:
        assert [a.id for a in index.story_copies("wide-00")] == newest_first
        assert index.story_copy_count("wide-00") == 44
        assert [a.id for a in index.story_copies("wide-00", 3)] == ["wide-44", "wide-43", "wide-42"]
        assert [a.id for a in index.story_copies("wide-00", 20, 40)] == newest_first[40:]
        assert index.story_copies("wide-00", 20, 60) == []


# -- snippets, suggestions, related -------------------------------------------------------


def test_snippets_are_escaped_and_only_mark_survives(newsroom):
    hit = newsroom.search("election report").hits[0]
    assert hit.id == "hostile"
    assert "<script" not in hit.snippet and "<img" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>election</mark>" in hit.snippet
    assert "<script" not in hit.title_html and "&lt;script&gt;" in hit.title_html


def test_marks_never_overlap_when_two_query_words_find_one_word():
    assert Index.mark("Tip O'Neil said", "o'ne* neil") == "Tip <mark>O'Neil</mark> said"
    assert Index.mark("attacks, attacked", "attack*  attack") == "<mark>attacks</mark>, <mark>attacked</mark>"


def test_match_only_in_title_shows_the_lead(newsroom):
    hit = newsroom.search("title:timetable").hits[0]
    assert hit.snippet.startswith("The election commission published")


def test_did_you_mean_on_a_misspelling(newsroom):
    result = newsroom.search("Niamy")
    assert result.total == 0
    assert result.suggestion == "Niamey"


def test_no_suggestion_for_a_query_with_good_results(newsroom):
    assert newsroom.search("junta").suggestion is None


def test_more_like_this_leaves_out_its_own_story(newsroom):
    related = [h.id for h in newsroom.more_like_this("coup-1")]
    assert related[0] == "coup-2"
    assert "coup-1" not in related
    assert len({"wire-1", "wire-1-copy", "wire-1-reprint"} & set(related)) <= 1


def test_feedback_reranks_verbose_queries_without_changing_the_matches(newsroom):
    from indexer.search import query as q
    from indexer.search.matching import Matcher, with_feedback

    snap = newsroom.snapshot
    matcher = Matcher(snap, [], set())
    node = q.any_word(q.parse("junta military transition parties ECOWAS civilian").node)
    found = matcher.match(node)
    again = with_feedback(matcher, found, {"junta", "militari", "transit", "parti", "ecowa", "civilian"})
    assert list(again.docs) == list(found.docs)
    assert (again.scores >= found.scores).all()


def test_any_mode_finds_articles_with_some_of_the_words(newsroom):
    result = newsroom.search("junta zebra giraffe elephant", match="any", collapse=False)
    assert {h.id for h in result.hits} == {"coup-1", "coup-2"}


def test_document_numbers_from_several_postings_are_merged_sorted_and_distinct():
    rng = np.random.default_rng(5)
    runs = [np.sort(rng.choice(1000, n, replace=False)) for n in (0, 1, 300, 900)]
    every = np.concatenate(runs)
    assert np.array_equal(distinct(every), np.unique(every))
    assert len(distinct(every[:0])) == 0
