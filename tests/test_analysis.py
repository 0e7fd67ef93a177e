"""The analysis chain: the same terms at index and query time."""

import pytest

from indexer.analysis import analyse, terms, words

pytestmark = [pytest.mark.unit]


def test_case_and_accents_fold():
    assert terms("Faladié") == terms("FALADIE") == terms("faladie")
    assert terms("Goïta") == terms("Goita")


def test_stemming_joins_word_forms():
    assert terms("hideouts") == terms("hideout")
    assert terms("attacks") == terms("attacked") == terms("attack")


def test_apostrophes_and_possessives():
    assert terms("Jama’at") == terms("Jama'at") == terms("Jamaat")
    assert terms("Mali's") == terms("Mali’s") == terms("Mali")


def test_hyphenated_words_index_their_parts():
    assert terms("al-Qaeda") == terms("al Qaeda") == ["al", "qaeda"]


def test_stop_words_are_dropped():
    assert terms("the attack on the capital") == terms("attack capital")


def test_spans_point_at_the_original_words():
    text = "Colonel Goïta's junta"
    tokens = list(analyse(text))
    assert [text[t.start : t.end] for t in tokens] == ["Colonel", "Goïta's", "junta"]
    assert [t.position for t in tokens] == [0, 1, 2]


def test_ascii_text_splits_as_any_text_does():
    # ASCII text takes a faster split than other text; both must find the same words.
    every_ascii = "".join(f"x{chr(c)}y " for c in range(128))
    assert words(every_ascii) == words(every_ascii + " é")[:-1]  # the second: not ASCII
    assert terms(every_ascii) == [t.term for t in analyse(every_ascii)]
    assert words("U.S. forces, (al-Qaeda's) 5_000\tmen;\x1fend") == [
        "U", "S", "forces", "al-Qaeda's", "5_000", "men", "end"
    ]
