"""Page furniture in scraped article text: what to strip, as data.

Each rule is named by what it removes. ``LINE_RULES`` match a whole line
(stripped, case-insensitive) anywhere in the text; the other rules say where
they apply. To extend, add a :class:`Rule` to the right list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A furniture pattern and the name of what it removes."""

    name: str  # what it removes
    pattern: str  # a regex matched against a whole line


_SHARE_SITES = (
    r"facebook|twitter|x|linkedin|whatsapp|e-?mail|telegram|pinterest|reddit|print|tumblr"
    r"|messenger|pocket|skype|viber|vk|flipboard|mastodon|threads|bluesky|copy\s+link|tweet|pin\s+it"
)
_DATE = (
    r"(?:[a-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}"  # November 25, 2024
    r"|\d{1,2}\s+[a-z]{3,9}\.?,?\s+\d{4}"  # 25 November 2024
    r"|\d{4}-\d{2}-\d{2})"
)

# Lone lines that are never article text, wherever they are.
LINE_RULES: tuple[Rule, ...] = (
    Rule("share buttons", rf"(?:share\s+(?:on|via)\s+)?(?:{_SHARE_SITES})"),
    Rule(
        "share label", r"share(?:\s+this(?:\s+(?:article|story|post))?)?\s*:?|shared\s+with|like\s+this\s*:"
    ),
    Rule(
        "comment form",
        r"leave\s+a\s+(?:reply|comment)|post\s+comment|cancel\s+reply"
        r"|(?:your\s+email\s+address\s+will\s+not\s+be\s+published\.?\s*)?"
        r"required\s+fields\s+are\s+marked\s*\*?"
        r"|your\s+email\s+address\s+will\s+not\s+be\s+published\.?"
        r"|(?:comment|name|email|website)\s*\*"
        r"|save\s+my\s+name,\s+email,\s+and\s+website\s+in\s+this\s+browser"
        r"\s+for\s+the\s+next\s+time\s+i\s+comment\.?",
    ),
    Rule("page loading message", r"(?:like\s+)?loading(?:\s+now)?\s*(?:\.\.\.|…)?"),
    Rule("translate widget", r"translate\s*»?|select\s+language"),
    Rule("summary heading", r"summary\s*:?|key\s+(?:points|takeaways)\s*:?"),
    Rule(
        "related-articles heading",
        r"related(?:\s+(?:posts|articles|stories|news))?\s*:?|read\s+(?:more|also)\s*:?"
        r"|you\s+may\s+also\s+like\s*:?|more\s+stories\s*:?",
    ),
    Rule("advertisement label", r"advertisement|sponsored(?:\s+content)?"),
    Rule("separator", r"[^\w\s]{1,10}"),
)

# A line naming where the article comes from: its text is the source, not body.
SOURCE_LINE = Rule("original-source line", r"(?:original\s+)?source\s*:\s*(?P<source>[^\s.:][^:]{0,59}?)\.?")

# Lines removed only at the very end of the text: "- Other story - November 25, 2024".
TAIL_RULES: tuple[Rule, ...] = (Rule("related-articles list", rf"[-–•*]\s+.+?\s[-–—|]\s+{_DATE}"),)

# "Gambiaj.com – (ABUJA, Nigeria) – ...": an outlet host opening the first paragraph.
DATELINE = Rule("outlet in the dateline", r"(?P<source>[a-z0-9][\w-]*(?:\.[\w-]+)*\.[a-z]{2,})\s*[–—-]+\s+")

# Section label: a lone word or two near the top, repeated from the headline,
# or a category ("Politics") on the first line, right above the headline.
LABEL_MAX_WORDS = 3
CATEGORY_MAX_WORDS = 2
LABEL_MAX_CHARS = 40
LEAD_LINES = 3  # how many first lines may hold a headline or a section label
MAX_FURNITURE_CHARS = 120  # longer lines are article text: skip the furniture regexes
MAX_TAIL_LINE_CHARS = 400

_LINE_RE = re.compile(
    "|".join(f"(?P<r{i}>{rule.pattern})" for i, rule in enumerate(LINE_RULES)), re.IGNORECASE
)
_SOURCE_RE = re.compile(SOURCE_LINE.pattern, re.IGNORECASE)
_TAIL_RE = re.compile("|".join(f"(?:{rule.pattern})" for rule in TAIL_RULES), re.IGNORECASE)
_DATELINE_RE = re.compile(DATELINE.pattern, re.IGNORECASE)
_WORD_RE = re.compile(r"\w+")
_SENTENCE_END_RE = re.compile(r"[.!?:;,][\"'”’)\]]*$")


def furniture_rule(line: str) -> str | None:
    """The name of the line rule that makes ``line`` (stripped) furniture, if any."""
    if len(line) > MAX_FURNITURE_CHARS:
        return None
    match = _LINE_RE.fullmatch(line)
    return LINE_RULES[int(match.lastgroup[1:])].name if match and match.lastgroup else None


def source_line(line: str) -> str | None:
    """The outlet named by an "Original Source: X" line, if ``line`` is one."""
    if len(line) > MAX_FURNITURE_CHARS:
        return None
    match = _SOURCE_RE.fullmatch(line)
    return match.group("source") if match else None


def is_tail_furniture(line: str) -> bool:
    """Whether ``line`` is furniture when it is among the last lines of the text."""
    return len(line) <= MAX_TAIL_LINE_CHARS and _TAIL_RE.fullmatch(line) is not None


def split_dateline(paragraph: str) -> tuple[str, str] | None:
    """``"Gambiaj.com – (ABUJA) – Text"`` → ``("Gambiaj.com", "(ABUJA) – Text")``."""
    match = _DATELINE_RE.match(paragraph)
    return (match.group("source"), paragraph[match.end() :]) if match else None


def is_section_label(line: str, neighbour: str, above: bool = False) -> bool:
    """Whether ``line`` is a section label for the headline-like ``neighbour``.

    A label is a word or two, not a sentence, that the (longer) neighbouring
    line repeats ("ECOWAS" next to "ECOWAS Condemns ..."); ``above`` the
    headline, on the first line, it need not be repeated ("Politics").
    """
    if len(line) > LABEL_MAX_CHARS or len(line) >= len(neighbour) or _SENTENCE_END_RE.search(line):
        return False
    words = _WORD_RE.findall(line.casefold())
    if not words or len(words) > LABEL_MAX_WORDS:
        return False
    return (above and len(words) <= CATEGORY_MAX_WORDS) or set(words) <= set(
        _WORD_RE.findall(neighbour.casefold())
    )
