"""Actor aliases: the shipped table, a user's own file, acronyms learned from the corpus,
and the spellings that are one actor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from actor_names import names

from indexer.actors import ActorExtractor, AliasTable, actor_key, collect_definitions, load_aliases

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize(
    "alias",
    [
        "GSIM",
        "Jama'at Nusrat al-Islam wal Muslimin",
        "Jama’at Nasr al-Islam wal Muslimin",
        "Group for the Support of Islam and Muslims",
        "jnim",
    ],
)
def test_shipped_aliases_of_jnim(table: AliasTable, alias: str) -> None:
    assert table.canonical(alias) == "JNIM"
    assert actor_key(table.canonical(alias)) == actor_key(table.canonical("JNIM"))


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("Africa Corps", "Wagner Group"),
        ("African Corps", "Wagner Group"),
        ("United Nations", "UN"),
        ("U.N.", "UN"),
        ("Economic Community of West African States", "ECOWAS"),
        ("Sahel States Alliance", "Alliance of Sahel States"),
        ("Assumi Goïta", "Assimi Goïta"),
        ("Russian Federation", "Russia"),
        ("U.S.", "United States"),
    ],
)
def test_shipped_aliases(table: AliasTable, alias: str, canonical: str) -> None:
    assert table.canonical(alias) == canonical


def test_variants_and_unknown_names(table: AliasTable) -> None:
    variants = table.variants("GSIM")
    assert (
        variants[0] == "JNIM"
        and "Group for the Support of Islam and Muslims" in variants
    )
    assert table.canonical("  the Zorvath Front's ") == "Zorvath Front"
    assert table.variants("Zorvath Front") == ["Zorvath Front"]
    assert table.kind("Africa Corps") == "group" and table.kind("Zorvath Front") is None


def test_article_shows_canonical_names_for_aliases(extractor: ActorExtractor) -> None:
    body = "Fighters of the African Corps and the Sahel States Alliance met United Nations envoys."
    assert names(extractor, body) == ["Wagner Group", "Alliance of Sahel States", "UN"]


def test_user_alias_file_is_merged_over_the_shipped_one(tmp_path: Path) -> None:
    user = tmp_path / "aliases.toml"
    user.write_text(
        '[JNIM]\naliases = ["Nusrat al-Islam"]\n\n'
        '["Zorvath Liberation Front"]\nkind = "group"\naliases = ["ZLF", "Zorvath Front"]\n\n'
        '["Wagner"]\naliases = ["Wagner Group"]\n',
        encoding="utf-8",
    )
    table = load_aliases(user)
    assert (
        table.canonical("Nusrat al-Islam") == "JNIM"
        and table.canonical("GSIM") == "JNIM"
    )
    assert (
        table.canonical("ZLF") == "Zorvath Liberation Front"
        and table.kind("ZLF") == "group"
    )
    assert table.canonical("Africa Corps") == "Wagner"  # the user renamed the actor
    assert names(ActorExtractor(table), "The ZLF denied it.") == [
        "Zorvath Liberation Front"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[JNIM\naliases = []", "not valid TOML"),
        ("JNIM = 3\n", "must be a table"),
        ('[JNIM]\naliases = "GSIM"\n', "aliases must be a list"),
        ('[JNIM]\naliases = ["GSIM", ""]\n', "aliases must be a list"),
        ('[JNIM]\nkind = "militia"\n', "kind must be one of"),
        ('[JNIM]\nalias = ["GSIM"]\n', "unknown key 'alias'"),
    ],
)
def test_bad_user_alias_file_names_the_file_and_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    user = tmp_path / "my-aliases.toml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        load_aliases(user)
    assert str(user) in str(info.value)


def test_missing_user_alias_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_aliases(tmp_path / "nope.toml")


def test_learned_acronym_applies_across_the_corpus(table: AliasTable) -> None:
    first = "The Kivu Farmers Association (KFA) asked for seed. The KFA met donors."
    second = "Donors met the KFA again on Friday."
    third = "The Kivu Farmers Association thanked them."
    learned = collect_definitions(
        ActorExtractor(table).learn("", body) for body in (first, second, third)
    )
    assert learned == {"KFA": "Kivu Farmers Association"}
    extractor = ActorExtractor(table.with_learned(learned))
    assert names(extractor, second) == names(extractor, third) == ["KFA"]
    assert table.with_learned(learned).canonical("Kivu Farmers Association") == "KFA"


def test_learned_definition_never_hijacks_a_known_acronym(table: AliasTable) -> None:
    learned = table.with_learned(
        {
            "AES": "Applied Energy Services",
            "GSIM": "Groupe de Soutien a l'Islam et aux Musulmans",
        }
    )
    assert learned.canonical("AES") == "Alliance of Sahel States"
    assert learned.canonical("Applied Energy Services") == "Applied Energy Services"
    extractor = ActorExtractor(learned)
    body = "Applied Energy Services (AES) bought a plant. AES said the deal closed."
    assert names(extractor, body) == ["Applied Energy Services"]


def test_collect_definitions_keeps_the_most_used_long_form() -> None:
    per_article = [
        {"ADB": "Asian Development Bank"},
        {"ADB": "African Development Bank"},
        {"ADB": "Asian Development Bank"},
    ]
    assert collect_definitions(per_article) == {"ADB": "Asian Development Bank"}


def test_surname_resolves_to_the_full_name_of_the_article(
    extractor: ActorExtractor,
) -> None:
    body = (
        "UN Secretary-General António Guterres condemned the attack. Guterres called for calm. "
        "Jezequel speculated on the motive, said Jean-Hervé Jezequel of the International Crisis Group."
    )
    assert names(extractor, body) == [
        "UN",
        "António Guterres",
        "Jean-Hervé Jezequel",
        "International Crisis Group",
    ]
    assert names(extractor, "The envoy met Guterres on Friday.") == [
        "Guterres"
    ]  # no full name to use


def test_short_form_of_an_organisation(extractor: ActorExtractor) -> None:
    body = "Mali joined the Alliance of Sahel States. The Alliance's leaders met in Niamey."
    assert names(extractor, body) == ["Mali", "Alliance of Sahel States"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Antonio Guterres", "António Guterres"),
        ("Jean Herve Jezequel", "Jean-Hervé Jezequel"),
        ("AL-QAEDA", "Al Qaeda"),
        ("Jama’at Nusrat", "Jamaat Nusrat"),
        ("U.N.", "UN"),
    ],
)
def test_spellings_differing_in_accents_case_or_hyphens_share_a_key(
    one: str, other: str
) -> None:
    assert actor_key(one) == actor_key(other)


def test_one_entry_per_actor_however_spelt(extractor: ActorExtractor) -> None:
    body = "Jean Herve Jezequel spoke. Later Jean-Hervé Jezequel and Antonio Guterres met António Guterres's aides."
    assert [actor_key(n) for n in names(extractor, body)] == [
        "jean herve jezequel",
        "antonio guterres",
    ]


def test_gsim_and_jnim_share_the_index_key(table: AliasTable) -> None:
    assert (
        actor_key(table.canonical("GSIM"))
        == actor_key(table.canonical("JNIM"))
        == "jnim"
    )
