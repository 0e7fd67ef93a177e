"""The query language: every form, and lenient reading of broken input."""

import datetime as dt

import pytest

from indexer.search.query import And, Dates, Fuzzy, Keyword, Not, Or, Phrase, Prefix, Word, parse

pytestmark = [pytest.mark.unit]


def test_words_are_anded():
    assert parse("mali junta").node == And((Word("mali"), Word("junta")))


def test_phrase_or_not_and_grouping():
    node = parse('"military junta" (mali OR niger) -wagner').node
    assert node == And(
        (Phrase("military junta"), Or((Word("mali"), Word("niger"))), Not(Word("wagner")))
    )
    assert parse("NOT wagner").node == Not(Word("wagner"))


def test_fields():
    node = parse("title:attack source:ghanaweb.com actor:GSIM").node
    assert node == And(
        (Word("attack", "title"), Keyword("source", "ghanaweb.com"), Keyword("actor", "GSIM"))
    )
    assert parse('actor:"Wagner Group"').node == Keyword("actor", "Wagner Group")


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("date:2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("date:2024-09", dt.date(2024, 9, 1), dt.date(2024, 9, 30)),
        ("date:2024-09-17", dt.date(2024, 9, 17), dt.date(2024, 9, 17)),
        ("date:2024-09-01..2024-09-15", dt.date(2024, 9, 1), dt.date(2024, 9, 15)),
        ("date:..2023", None, dt.date(2023, 12, 31)),
        ("date:2024-02..", dt.date(2024, 2, 1), None),
    ],
)
def test_dates_and_ranges(text, start, end):
    node = parse(text).node
    assert isinstance(node, Dates)
    assert (node.range.start, node.range.end) == (start, end)


def test_prefix_and_fuzzy():
    assert parse("bomb*").node == Prefix("bomb")
    assert parse("Guterez~").node == Fuzzy("Guterez", 2)
    assert parse("Mali~1").node == Fuzzy("Mali", 1)


@pytest.mark.parametrize(
    "text, read_as, warning",
    [
        ('"unclosed phrase', '"unclosed phrase"', "unbalanced quote"),
        ("(mali OR niger", "mali OR niger", "unbalanced '('"),
        ("mali) junta", "mali junta", "unbalanced ')'"),
        ("OR mali", "mali", "'OR' without a left-hand side"),
        ("mali OR", "mali", "'OR' without a right-hand side"),
        ("mali NOT", "mali", "nothing after it"),
        ("colour:red", '"colour:red"', "unknown field 'colour'"),
        ("date:2024-13 mali", "mali", "date:2024-13 ignored"),
    ],
)
def test_broken_queries_are_read_leniently_and_say_how(text, read_as, warning):
    parsed = parse(text)
    assert parsed.text == read_as
    assert any(warning in w for w in parsed.warnings), parsed.warnings


def test_pathological_input_is_bounded():
    parsed = parse("(" * 400 + "mali" + ")" * 400)
    assert parsed.text == "mali"
    assert len(parse(" ".join(f"w{i}" for i in range(500))).node.items) == 64
    assert parse("x" * 5000).warnings


def test_written_back_form_reads_the_same():
    for text in ['"a b" OR c -d', "title:x (y OR z)", "actor:JNIM date:2024-09 bomb*"]:
        first = parse(text)
        assert parse(first.text).node == first.node


def test_any_word_loosens_each_side_of_an_or_and_keeps_filters_required():
    from indexer.search.query import any_word

    node = any_word(parse("junta coup OR election vote source:bbc.co.uk -wagner").node)
    assert node == Or(
        (
            Or((Word("junta"), Word("coup"))),
            And((Keyword("source", "bbc.co.uk"), Not(Word("wagner")), Or((Word("election"), Word("vote"))))),
        )
    )
