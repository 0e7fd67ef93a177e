"""The actors field: extraction rules, aliases and the seed gold (indexer.actors)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.actors import (
    ActorExtractor,
    AliasTable,
    actor_key,
    collect_definitions,
    load_aliases,
)

REPO = Path(__file__).resolve().parent.parent
GOLD = json.loads(
    (REPO / "tests" / "data" / "actors_gold.json").read_text(encoding="utf-8")
)["articles"]
FURNITURE = re.compile(
    r"^(Original Source:.*|Post Comment|Loading Now|Shared with|Leave a Reply|Your email address.*"
    r"|Facebook|Twitter|LinkedIn|WhatsApp|Email|Telegram|Pinterest|Reddit|Print|Tumblr|Translate »"
    r"|- .* - \w+ \d+, \d{4})$"
)


def read_seed(stem: str) -> tuple[str, str]:
    """Title and body of a seed, page furniture (share buttons, footers) dropped."""
    lines = [
        line.strip()
        for line in (REPO / "seeds" / f"{stem}.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    lines = [line for line in lines if not FURNITURE.match(line)]
    while lines and not lines[0]:
        lines.pop(0)
    return lines[0], "\n".join(lines[1:]).strip()


@pytest.fixture(scope="module")
def table() -> AliasTable:
    return load_aliases()


@pytest.fixture(scope="module")
def extractor(table: AliasTable) -> ActorExtractor:
    return ActorExtractor(table)


def names(extractor: ActorExtractor, body: str, title: str = "") -> list[str]:
    return [a.name for a in extractor.extract(title, body)]


def keys(extractor: ActorExtractor, body: str, title: str = "") -> set[str]:
    return {actor_key(a.name) for a in extractor.extract(title, body)}


# -- the seed gold ------------------------------------------------------------------


def test_seed_gold_precision_and_recall_at_least_0_9(table: AliasTable) -> None:
    seeds = {stem: read_seed(stem) for stem in GOLD}
    first = ActorExtractor(table)
    learned = collect_definitions(first.learn(t, b) for t, b in seeds.values())
    merged = table.with_learned(learned)
    extractor = ActorExtractor(merged)
    ref, found = set(), set()
    for stem, gold in GOLD.items():
        ref |= {(stem, actor_key(merged.canonical(n))) for n in gold}
        found |= {(stem, actor_key(a.name)) for a in extractor.extract(*seeds[stem])}
    precision, recall = len(ref & found) / len(found), len(ref & found) / len(ref)
    assert precision >= 0.9 and recall >= 0.9, (
        precision,
        recall,
        sorted(found - ref),
        sorted(ref - found),
    )


def test_actors_are_deduplicated_in_order_of_first_mention(
    extractor: ActorExtractor,
) -> None:
    actors = extractor.extract(*read_seed("000_b8f73cc12de43a77"))
    assert [a.name for a in actors][:3] == ["ECOWAS", "Mali", "Al-Qaeda"]
    assert len({actor_key(a.name) for a in actors}) == len(actors)
    kinds = {a.name: a.kind for a in actors}
    assert (
        kinds["ECOWAS"] == "organisation"
        and kinds["Mali"] == "state"
        and kinds["Wagner Group"] == "group"
    )
    found = names(extractor, *reversed(read_seed("002_f906829c3a93a056")))
    assert found[:2] == ["Mali", "JNIM"]  # "Malian junta", then the GSIM definition
    assert found.index("Jean-Hervé Jezequel") < found.index("International Crisis Group")


def test_seed_non_actors_stay_out(extractor: ActorExtractor) -> None:
    found = set()
    for stem in GOLD:
        found |= keys(extractor, *reversed(read_seed(stem)))
    for word in [
        "Bamako",
        "Sahel",
        "Faladié",
        "Faladie",
        "Moura",
        "Tuesday",
        "The Malian",
        "Malian",
        "However",
        "Nigeria",
        "ABUJA",
        "West Africa",
        "Tuareg",
        "Modibo Keita International Airport",
        "Bamako-Sénou",
    ]:
        assert actor_key(word) not in found, word


# -- extraction rules ----------------------------------------------------------------


def test_capitalised_runs_with_name_connectors(extractor: ActorExtractor) -> None:
    body = (
        "Officials of the Bank of Japan met envoys of Jama'at Nusrat al-Islam wal Muslimin, "
        "said a cousin of Charles de Gaulle and a spokesman for Hayat Tahrir al-Sham."
    )
    found = names(extractor, body)
    assert "Bank of Japan" in found
    assert "JNIM" in found  # the long name is an alias of the group
    assert "Charles de Gaulle" in found
    assert "Hayat Tahrir al-Sham" in found


def test_acronyms_are_actors_but_not_economic_terms(extractor: ActorExtractor) -> None:
    found = names(
        extractor,
        "Talks between the FNDR and the government stalled as GDP fell and the CEO resigned.",
    )
    assert "FNDR" in found
    assert not {"GDP", "CEO"} & set(found)


def test_long_name_then_acronym_definition(extractor: ActorExtractor) -> None:
    body = (
        "The Sahara Peace Network (SPN) called for talks. Later the SPN said its envoys were safe, "
        "and the Sahara Peace Network asked for observers."
    )
    assert extractor.learn("", body) == {"SPN": "Sahara Peace Network"}
    assert names(extractor, body) == ["SPN"]


def test_acronym_then_long_name_definition(extractor: ActorExtractor) -> None:
    body = "Fighters of the MRLT (Mouvement pour la Renaissance du Lac Tchad) crossed the border. The MRLT denied it."
    assert extractor.learn("", body) == {
        "MRLT": "Mouvement pour la Renaissance du Lac Tchad"
    }
    assert names(extractor, body) == ["MRLT"]


def test_definition_with_and_and_translated_word_order(
    extractor: ActorExtractor,
) -> None:
    body = (
        "The Group for the Support of Islam and Muslims (GSIM) claimed it. Separatists of the "
        "'Coordination of Azawad Movements' (CMA) did not."
    )
    assert extractor.learn("", body) == {
        "GSIM": "Group for the Support of Islam and Muslims",
        "CMA": "Coordination of Azawad Movements",
    }
    assert names(extractor, body) == ["JNIM", "CMA"]


def test_titles_and_roles_are_stripped_from_people(extractor: ActorExtractor) -> None:
    body = (
        "UN Secretary-General António Guterres spoke after Colonel Assimi Goïta, while claims "
        "came from Army Chief of Staff Oumar Diarra and Finance Minister Kemi Adeyola. "
        "African Union Commission Chairperson Moussa Faki Mahamat agreed."
    )
    found = names(extractor, body)
    assert found == [
        "UN",
        "António Guterres",
        "Assimi Goïta",
        "Oumar Diarra",
        "Kemi Adeyola",
        "African Union Commission",
        "Moussa Faki Mahamat",
    ]
    kinds = {a.name: a.kind for a in extractor.extract("", body)}
    assert kinds["Kemi Adeyola"] == kinds["Oumar Diarra"] == "person"


def test_role_with_of_names_the_organisation(extractor: ActorExtractor) -> None:
    found = names(
        extractor,
        "Jean-Hervé Jezequel, Sahel Project Director of the International Crisis Group, said so.",
    )
    assert found == ["Jean-Hervé Jezequel", "International Crisis Group"]


def test_sentence_openers_weekdays_and_months_are_not_names(
    extractor: ActorExtractor,
) -> None:
    body = (
        "However, the talks failed on Tuesday. Eyewitnesses saw smoke in September. "
        "Meanwhile Worrisomely, nothing changed. The Malian people waited. Following the attack, "
        "details were scarce. Details came later. On Monday, Kenya said it would help."
    )
    assert names(extractor, body) == ["Kenya"]


def test_sentence_initial_name_kept_when_used_elsewhere(
    extractor: ActorExtractor,
) -> None:
    body = "Okonjo spoke first. Later the minister thanked Okonjo for the plan."
    assert names(extractor, body) == ["Okonjo"]


def test_nationality_adjectives_name_the_state_when_it_acts(
    extractor: ActorExtractor,
) -> None:
    assert names(extractor, "The Malian army said the attack was over.") == ["Mali"]
    assert names(
        extractor, "It praised the 2015 Algerian-brokered peace agreement."
    ) == ["Algeria"]
    assert names(
        extractor, "Pressure grew on the Japanese government and French troops."
    ) == ["Japan", "France"]
    assert names(extractor, "The Russian mercenary group Wagner arrived.") == [
        "Wagner Group"
    ]
    assert (
        names(
            extractor,
            "Malian citizens and Tuareg rebels marched with West African traders.",
        )
        == []
    )


def test_places_are_not_actors(extractor: ActorExtractor) -> None:
    body = (
        "Gunmen struck near Bamako-Sénou airport and the Faladié district of Bamako, in the Sahel, "
        "and civilians died in Moura. Flights to Modibo Keita International Airport stopped."
    )
    assert names(extractor, body) == []


def test_dateline_state_is_a_place(extractor: ActorExtractor) -> None:
    assert names(extractor, "(ABUJA, Nigeria) – ECOWAS condemned the attack.") == [
        "ECOWAS"
    ]


def test_actors_no_list_knows(extractor: ActorExtractor) -> None:
    body = (
        "The Zorvath Liberation Front said it had seized the town of Kelemba. Its leader, Idrissa Toukara, "
        "met officials of Harmon Grain Trading Co and the Kivu Farmers Association."
    )
    actors = {a.name: a.kind for a in extractor.extract("", body)}
    assert actors == {
        "Zorvath Liberation Front": "group",
        "Idrissa Toukara": "person",
        "Harmon Grain Trading Co": "organisation",
        "Kivu Farmers Association": "organisation",
    }


def test_title_case_headline_keeps_only_known_names(extractor: ActorExtractor) -> None:
    title = "ECOWAS Condemns Bamako Terror Attacks Amidst Mali's Move to Withdraw from Regional Bloc"
    assert names(extractor, "The bloc met.", title) == ["ECOWAS", "Mali"]


def test_wire_copy_with_capital_headline_and_wrapped_lines(
    extractor: ActorExtractor,
) -> None:
    title = "STOLTENBERG SAYS BONN TO CUT TAXES"
    body = (
        "West German Finance Minister Gerhard\n"
        "Stoltenberg said the government would cut taxes, and the\n"
        "International Monetary Fund welcomed it.\n"
        "    Stoltenberg told Reuters the Bundesbank agreed.\n"
        "    Pay March 31\n"
        "    Record March 16\n"
        " Reuter\n"
    )
    assert names(extractor, body, title) == [
        "Gerhard Stoltenberg",
        "West Germany",
        "IMF",
        "Reuters",
        "Bundesbank",
    ]


def test_company_names_across_and_and_possessive(extractor: ActorExtractor) -> None:
    body = "Procter and Gamble Co and Moody's Investors Service Inc rated the General Agreement on Tariffs and Trade."
    assert names(extractor, body) == [
        "Procter and Gamble Co",
        "Moody's Investors Service Inc",
        "GATT",
    ]


# -- aliases ---------------------------------------------------------------------------


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


# -- the bench script --------------------------------------------------------------------


def test_bench_exits_non_zero_without_reuters(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "actors_eval.py"),
            "--corpora",
            str(tmp_path),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "reuters21578.jsonl.gz" in done.stderr and "absent" in done.stderr
    assert "| **all (micro)** |" in done.stdout
