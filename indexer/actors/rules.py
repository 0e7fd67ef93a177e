"""What a stretch of capitalised words is, judged on the words alone (cached).

``NameRules.plan`` decides everything that does not depend on the article: a
known name, several known names side by side, a role before a person, a
nationality adjective, a non-name, a place or a new name. The extractor then
applies the checks that need the words around the run.
"""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import Gazetteer
from .names import actor_key, clean_name, find_role, is_acronym

Named = tuple[str, str, bool]  # (name, kind, known)


@dataclass(frozen=True, slots=True)
class Plan:
    """The verdict on some words; ``action`` says how ``names`` are used.

    known: ``names[0]`` is a listed actor. parts: each of ``names`` is one.
    role: ``names`` come from "<body> <role> <person>". demonym: ``state`` is
    named by an adjective, ``rest`` judges the words after it (None if none).
    drop, weak (kept only if it resolves), place. name: ``names[0]`` is a new name.
    """

    action: str
    names: tuple[Named, ...] = ()
    state: str = ""
    rest: Plan | None = None
    skip: int = 0  # demonym: the words the adjective takes
    acronym: bool = False
    org_head: bool = False


_DROP = Plan("drop")
_PLACE = Plan("place")


class NameRules:
    """Word-level rules over the gazetteer and the table of known names."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        known: dict[str, tuple[str, str]],
        connectors: frozenset[str],
    ) -> None:
        self._g = gazetteer
        self._known = known
        self._connectors = connectors
        self.first_words = frozenset(k.partition(" ")[0] for k in known)
        self.extendable = frozenset(
            k.rpartition(" ")[0] for k in known if " " in k
        )  # "wagner" of "wagner group"
        self._role_words = frozenset(w for role in gazetteer.roles for w in role)
        self._cache: dict[tuple[str, ...], Plan] = {}

    def plan(self, words: tuple[str, ...]) -> Plan:
        """The verdict on ``words`` (already trimmed of function words)."""
        plan = self._cache.get(words)
        if plan is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            plan = self._cache[words] = self._judge(words)
        return plan

    def _judge(self, words: tuple[str, ...]) -> Plan:
        g = self._g
        name = " ".join(words)
        keys = [actor_key(w) for w in words]
        key = " ".join(k for k in keys if k)
        hit = self._known.get(key)
        if hit:
            return Plan("known", ((hit[0], hit[1], True),))
        parts = self.known_parts(keys)
        if parts:
            return Plan("parts", tuple((c, k, True) for c, k in parts))
        lowered = [w.lower() for w in words]
        if any(w in self._role_words for w in lowered):
            role = find_role(lowered, g.roles, g.role_longest)
            plan = self._role(words, role) if role else None
            if plan:
                return plan
        if "of" in lowered or "for" in lowered:
            plan = self._person_of(words, lowered)
            if plan:
                return plan
        state, size, adjective = self._state_at_start(keys)
        if state:
            rest = words[size:]
            if not rest:
                return Plan("demonym", state=state, skip=size)
            if all(w in g.state_nouns or k in g.non_names for w, k in zip(lowered[size:], keys[size:])):
                return Plan("known", ((state, "state", True),))  # "Malian Army", "U.K. Government"
            if adjective:  # "Russian Wagner": the adjective alone does not make Russia an actor
                return Plan("demonym", state=state, rest=self.plan(rest), skip=size)
        if key in g.non_names or g.non_names.issuperset(keys):
            return Plan("weak", ((name, "unknown", False),)) if len(words) == 1 else _DROP
        if key in g.places or lowered[-1] in g.place_heads:
            return _PLACE
        acronym = len(words) == 1 and is_acronym(name)
        kind = "organisation" if acronym else guess_kind(words, g, self._connectors, keys)
        org_head = any(k in g.org_heads for k in keys)
        return Plan("name", ((clean_name(name), kind, False),), acronym=acronym, org_head=org_head)

    def _state_at_start(self, keys: list[str]) -> tuple[str | None, int, bool]:
        """The state a run's first word or two name, their number, and whether they are a
        nationality adjective ("Malian", "West German") rather than the state's name
        before more words ("U.K. Government")."""
        for size in (2, 1):
            if len(keys) >= size:
                lead = " ".join(keys[:size])
                state = self._g.demonyms.get(lead)
                if state:
                    return self._known.get(actor_key(state), (state,))[0], size, True
                hit = self._known.get(lead) if size < len(keys) else None
                if hit and hit[1] == "state":
                    return hit[0], size, False
        return None, 0, False

    def _role(self, words: tuple[str, ...], role: tuple[int, int]) -> Plan | None:
        """ "UN Secretary-General António Guterres" -> UN, António Guterres; None if no split."""
        g = self._g
        before, after = words[: role[0]], words[role[1] :]
        names: list[Named] = []
        if before:
            name = " ".join(before)
            hit = self._known.get(actor_key(name))
            state, size = self.demonym(before)
            if hit:
                names.append((hit[0], hit[1], True))
            elif state and size == len(before):
                names.append((state, "state", True))
            elif (len(before) == 1 and is_acronym(name)) or (
                len(before) > 1 and before[-1].lower() in g.org_heads
            ):
                names.append((name, self.guess_kind(before), False))
        if after and after[0].lower() in self._connectors:
            while after and after[0].lower() in self._connectors:
                after = after[1:]
            plan = self.plan(after) if after else _DROP
            names.extend(
                plan.names if plan.action in ("known", "parts", "name") else ()
            )
        elif after and after[-1].lower() in g.org_heads:
            return None  # "General Motors Corp"
        elif after:
            cut = next(
                (i for i, w in enumerate(after) if w.lower() in ("of", "for")),
                len(after),
            )
            if cut < len(
                after
            ):  # "Chairman Beryl Sprinkel of the Council of Economic Advisers"
                plan = self.plan(
                    tuple(w for w in after[cut + 1 :] if w.lower() != "the")
                )
                names.extend(
                    plan.names if plan.action in ("known", "parts", "name") else ()
                )
                after = after[:cut]
            person = " ".join(after)
            hit = self._known.get(actor_key(person))
            names.append(
                (hit[0], hit[1], True) if hit else (clean_name(person), "person", False)
            )
        return Plan("role", tuple(names))

    def _person_of(self, words: tuple[str, ...], lowered: list[str]) -> Plan | None:
        """ "Jean-Hervé Jezequel of the International Crisis Group" -> the person and the body."""
        g = self._g
        cut = next((i for i, w in enumerate(lowered) if w in ("of", "for")), 0)
        if not 2 <= cut <= 4 or any(
            w in g.org_heads or w in g.place_heads or w in self._connectors
            for w in lowered[:cut]
        ):
            return None
        rest = tuple(w for w in words[cut + 1 :] if w.lower() != "the")
        plan = self.plan(rest) if rest else _DROP
        if plan.action in ("known", "parts") or (
            plan.action == "name" and plan.org_head
        ):
            return Plan(
                "role",
                ((clean_name(" ".join(words[:cut])), "person", False), *plan.names),
            )
        return None

    def known_parts(self, keys: list[str]) -> list[tuple[str, str]]:
        """Known names that together cover a short run ("UN MINUSMA"), or nothing."""
        if len(keys) < 2 or len(keys) > 5:
            return []
        parts: list[tuple[str, str]] = []
        i = 0
        while i < len(keys):
            if keys[i] not in self.first_words:
                return []
            for size in range(len(keys) - i - (i == 0), 0, -1):
                hit = self._known.get(" ".join(keys[i : i + size]))
                if hit:
                    parts.append(hit)
                    i += size
                    break
            else:
                return []
        return parts

    def demonym(self, words: tuple[str, ...] | list[str]) -> tuple[str | None, int]:
        """The state a leading nationality adjective names, and the adjective's length in words."""
        for size in (2, 1):
            if len(words) >= size:
                state = self._g.demonyms.get(actor_key(" ".join(words[:size])))
                if state:
                    return self._known.get(actor_key(state), (state,))[0], size
        return None, 0

    def guess_kind(self, words: tuple[str, ...] | list[str]) -> str:
        """Kind of a name no list knows, from its head words and shape."""
        return guess_kind(words, self._g, self._connectors)


def guess_kind(
    words: tuple[str, ...] | list[str],
    g: Gazetteer,
    connectors: frozenset[str],
    keys: list[str] | None = None,
) -> str:
    """Kind of a name no list knows, from its head words ("B.V." counts as "bv") and shape."""
    lowered = keys if keys is not None else [actor_key(w) for w in words]
    if len(words) == 1 and is_acronym(words[0]):
        return "organisation"
    if any(w in g.group_heads for w in lowered[1:]) or lowered[-1] in g.group_heads:
        return "group"
    if any(w in g.org_heads for w in lowered):
        return "organisation"
    if 2 <= len(words) <= 4 and not any(w in connectors for w in lowered):
        return "person"
    return "unknown"
