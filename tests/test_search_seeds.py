"""Searching the five seeds: what a fresh install must answer."""

import pytest

from indexer import InvalidRequest

pytestmark = [pytest.mark.index]


def ids(result):
    return sorted(h.id for h in result.hits)


def test_guterres_is_in_seeds_002_and_004(seeds_index):
    assert ids(seeds_index.search("Guterres")) == ["002_f906829c3a93a056", "004_04d21494b0b19014"]


@pytest.mark.parametrize("furniture", ["facebook", '"email address"', '"illegal miners"', "translate"])
def test_page_furniture_is_not_searchable(seeds_index, furniture):
    assert seeds_index.search(furniture).total == 0


def test_accent_folding(seeds_index):
    assert ids(seeds_index.search("Goita")) == ["004_04d21494b0b19014"]
    assert ids(seeds_index.search("Goïta")) == ["004_04d21494b0b19014"]


def test_stemming(seeds_index):
    assert ids(seeds_index.search("hideouts")) == ["002_f906829c3a93a056"]
    assert ids(seeds_index.search("hideout")) == ["002_f906829c3a93a056"]


def test_match_all_lists_every_article(seeds_index):
    result = seeds_index.search("")
    assert result.total_articles == 5


def test_hits_carry_metadata(seeds_index):
    hit = seeds_index.search("Faladie").hits[0]
    assert hit.id in ("003_bb0a0735def43244", "004_04d21494b0b19014")
    by_id = {h.id: h for h in seeds_index.search("Faladie").hits}
    assert by_id["003_bb0a0735def43244"].source == "ghanaweb.com"
    assert by_id["004_04d21494b0b19014"].published.isoformat() == "2024-09-17"


def test_snippets_mark_original_words(seeds_index):
    hit = seeds_index.search("hideout").hits[0]
    assert "<mark>hideouts</mark>" in hit.snippet


def test_article_by_id(seeds_index):
    article = seeds_index.article("003_bb0a0735def43244")
    assert article.title == "Al-Qaeda-Linked Group Claims Responsibility for Bamako Attack"
    assert "Post Comment" not in article.body
    assert seeds_index.article("nope") is None


def test_actor_spellings_merge_into_one_facet_entry(seeds_index):
    actors = {v.value: v.count for v in seeds_index.search("", facet_size=100).facets["actor"].values}
    assert actors["António Guterres"] == 2 and "Antonio Guterres" not in actors
    assert actors["Jean-Hervé Jezequel"] == 2 and "Jean Herve Jezequel" not in actors
    assert actors["JNIM"] == 4  # GSIM and the long names are aliases of JNIM


def test_actor_filter_by_any_spelling(seeds_index):
    plain = seeds_index.search("", actors=["Antonio Guterres"])
    assert sorted(h.id for h in plain.hits) == ["002_f906829c3a93a056", "004_04d21494b0b19014"]


def test_articles_show_the_corpus_spelling_of_an_actor(seeds_index):
    for article_id in ("002_f906829c3a93a056", "004_04d21494b0b19014"):
        actors = seeds_index.article(article_id).actors
        assert "António Guterres" in actors and "Antonio Guterres" not in actors


def test_stats_name_as_many_top_sources_as_asked(seeds_index):
    assert len(seeds_index.stats().top_sources) == 3
    assert seeds_index.stats(top_sources=1).top_sources == seeds_index.stats().top_sources[:1]
    with pytest.raises(InvalidRequest, match="top_sources"):
        seeds_index.stats(top_sources=-1)
    with pytest.raises(InvalidRequest, match="top"):
        seeds_index.report(top=0)
