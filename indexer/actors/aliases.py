"""Alias tables: which names and spellings mean the same actor."""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .gazetteer import load_gazetteer
from .names import actor_key, clean_name

SHIPPED = Path(__file__).parent / "aliases.toml"
KINDS = ("person", "organisation", "state", "group", "unknown")

Entry = tuple[str, Sequence[str], "str | None"]  # canonical, aliases, kind


def _content_words(name: str) -> set[str]:
    return {w for w in actor_key(name).split() if len(w) >= 4}


class AliasTable:
    """Maps any alias or spelling (matched by ``actor_key``) to a canonical display name."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._canon: dict[str, str] = {}  # key of any name -> canonical name
        self._members: dict[
            str, list[str]
        ] = {}  # key of canonical -> canonical + aliases
        self._kinds: dict[str, str] = {}  # key of canonical -> kind
        self._learned: set[str] = set()  # keys that only corpus definitions give
        for canonical, aliases, kind in entries:
            self.merge(canonical, aliases, kind)

    def merge(
        self, canonical: str, aliases: Sequence[str], kind: str | None = None
    ) -> None:
        """Add an actor; groups its names already belong to are merged under ``canonical``."""
        canonical = clean_name(canonical)
        names = [canonical, *(clean_name(a) for a in aliases)]
        old = {self._canon[k] for k in map(actor_key, names) if k in self._canon}
        members: list[str] = []
        for name in old:
            old_key = actor_key(name)
            members.extend(self._members.pop(old_key))
            old_kind = self._kinds.pop(old_key, None)
            kind = kind or old_kind
        ckey = actor_key(canonical)
        members = list(dict.fromkeys([canonical, *names[1:], *members]))
        self._members[ckey] = members
        for name in members:
            self._canon[actor_key(name)] = canonical
        if kind:
            self._kinds[ckey] = kind

    def canonical(self, name: str) -> str:
        """The canonical name for ``name``; an unknown name comes back cleaned."""
        cleaned = clean_name(name)
        return self._canon.get(actor_key(cleaned), cleaned)

    def known(self, name: str) -> bool:
        """True when ``name`` is a canonical name or an alias in this table."""
        return actor_key(clean_name(name)) in self._canon

    def learned(self, name: str) -> bool:
        """True when only an acronym definition learned from the corpus gives ``name``."""
        return actor_key(clean_name(name)) in self._learned

    def kind(self, name: str) -> str | None:
        """The kind recorded for the actor ``name`` stands for, if any."""
        return self._kinds.get(actor_key(self.canonical(name)))

    def variants(self, canonical: str) -> list[str]:
        """Every name of the actor: canonical name first, then its aliases."""
        name = self.canonical(canonical)
        return list(self._members.get(actor_key(name), [name]))

    def entries(self) -> Iterable[tuple[str, str]]:
        """(key, canonical name) for every name in the table."""
        return self._canon.items()

    def definition_canonical(self, acronym: str, long: str) -> str | None:
        """The canonical name an acronym definition gives both of its forms.

        That is the known actor either form names, else the acronym; None when the
        definition conflicts with the table (the acronym already stands for another
        actor, or the two forms name different ones).
        """
        by_acronym = self._canon.get(actor_key(acronym))
        by_long = self._canon.get(actor_key(long))
        if by_acronym and by_long:
            return by_acronym if by_acronym == by_long else None
        if by_acronym:
            expansions = [m for m in self.variants(by_acronym) if len(m.split()) > 1]
            words = _content_words(long)
            if expansions and not any(words & _content_words(m) for m in expansions):
                return None
            return by_acronym
        return by_long or clean_name(acronym)

    def with_learned(self, definitions: Mapping[str, str]) -> AliasTable:
        """A copy that also knows acronym definitions learned from the corpus."""
        table = AliasTable()
        table._canon = dict(self._canon)
        table._members = {k: list(v) for k, v in self._members.items()}
        table._kinds = dict(self._kinds)
        table._learned = set(self._learned)
        for acronym, long in definitions.items():
            canonical = table.definition_canonical(acronym, long)
            if canonical:
                table._learned.update(
                    k for k in map(actor_key, (acronym, long)) if k not in table._canon
                )
                table.merge(canonical, [acronym, long])
        return table


def collect_definitions(per_article: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """One long form per acronym from many articles' definitions: the most used one."""
    votes: dict[str, Counter[str]] = {}
    for definitions in per_article:
        for acronym, long in definitions.items():
            votes.setdefault(acronym, Counter())[long] += 1
    return {acronym: counter.most_common(1)[0][0] for acronym, counter in votes.items()}


def _parse(path: Path) -> list[Entry]:
    """The entries of one alias file; ValueError naming the file for any problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(
            f"{path}: cannot read alias file: {exc.strerror or exc}"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    entries: list[Entry] = []
    for name, entry in data.items():
        where = f"{path}: [{name}]"
        if not name.strip():
            raise ValueError(f"{path}: an actor table has an empty name")
        if not isinstance(entry, dict):
            # A ValueError like every other problem with the file's content.
            raise ValueError(
                f'{where} must be a table with an "aliases" list, not a {type(entry).__name__}'
            )
        extra = sorted(set(entry) - {"aliases", "kind"})
        if extra:
            raise ValueError(
                f'{where}: unknown key {extra[0]!r} (allowed: "aliases", "kind")'
            )
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and a.strip() for a in aliases
        ):
            raise ValueError(f"{where}: aliases must be a list of non-empty strings")
        kind = entry.get("kind")
        if kind is not None and kind not in KINDS:
            raise ValueError(
                f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}"
            )
        entries.append((name, aliases, kind))
    return entries


def load_aliases(path: Path | None = None) -> AliasTable:
    """The shipped aliases and state names, with the user file at ``path`` merged over them."""
    gazetteer = load_gazetteer()
    table = AliasTable((names[0], names[1:], "state") for names in gazetteer.states)
    for entry in _parse(SHIPPED):
        table.merge(*entry)
    if path is not None:
        for entry in _parse(Path(path)):
            table.merge(*entry)
    return table
