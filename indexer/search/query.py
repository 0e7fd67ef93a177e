"""The query language, read leniently into an engine-neutral tree.

Syntax (a search box's, as journalists expect it)::

    mali junta              both words (AND is the default)
    "military junta"        exact phrase
    mali OR niger           either
    NOT wagner, -wagner     without
    (mali OR niger) coup    grouping
    title:attack source:ghanaweb.com actor:GSIM
    date:2024  date:2024-09  date:2024-09-01..2024-09-30  date:..2023  date:2024-01..
    bomb*                   prefix
    Guterez~  Guterez~1     fuzzy (edit distance, default 2 for long words)

Nothing here raises on bad input: unbalanced quotes and parentheses, lone
operators and unknown fields are read as plainly as possible, and each repair
is reported as a warning so the caller can say how the query was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.engine.schema import TEXT_FIELDS
from indexer.search.dates import DateRange, parse_date_range
from indexer.search.request import MAX_QUERY_CHARS

KEYWORD_FIELDS = ("source", "actor")
FIELDS = TEXT_FIELDS + KEYWORD_FIELDS + ("date",)
MAX_NODES = 64


# --- the tree ---------------------------------------------------------------


class Node:
    """A query node; ``str(node)`` is the query written back in query syntax."""


@dataclass(frozen=True)
class Word(Node):
    text: str
    field: str | None = None  # None: title and body

    def __str__(self) -> str:
        return _fielded(self.field, _quote_if_needed(self.text))


@dataclass(frozen=True)
class Phrase(Node):
    text: str
    field: str | None = None

    def __str__(self) -> str:
        return _fielded(self.field, '"' + self.text.replace('"', "") + '"')


@dataclass(frozen=True)
class Prefix(Node):
    text: str
    field: str | None = None

    def __str__(self) -> str:
        return _fielded(self.field, self.text + "*")


@dataclass(frozen=True)
class Fuzzy(Node):
    text: str
    max_edits: int
    field: str | None = None

    def __str__(self) -> str:
        return _fielded(self.field, f"{self.text}~{self.max_edits}")


@dataclass(frozen=True)
class Keyword(Node):
    """An exact facet value: ``source:ghanaweb.com``, ``actor:JNIM``."""

    field: str
    value: str

    def __str__(self) -> str:
        return _fielded(self.field, _quote_if_needed(self.value))


@dataclass(frozen=True)
class Dates(Node):
    range: DateRange

    def __str__(self) -> str:
        return f"date:{self.range}"


@dataclass(frozen=True)
class And(Node):
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(_group(i, Or) for i in self.items)


@dataclass(frozen=True)
class Or(Node):
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_group(i, And) for i in self.items)


@dataclass(frozen=True)
class Not(Node):
    item: Node

    def __str__(self) -> str:
        return "NOT " + _group(self.item, And, Or)


@dataclass(frozen=True)
class MatchAll(Node):
    def __str__(self) -> str:
        return ""


def _fielded(name: str | None, text: str) -> str:
    return f"{name}:{text}" if name else text


def _quote_if_needed(text: str) -> str:
    return f'"{text}"' if re.search(r"[\s():\"]", text) or text in _OPERATORS else text


def _group(node: Node, *kinds: type) -> str:
    return f"({node})" if isinstance(node, kinds) else str(node)


@dataclass(frozen=True)
class ParsedQuery:
    node: Node
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return str(self.node)


# --- reading ------------------------------------------------------------------

_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<minus>-)(?=[\w"(])
  | (?P<plus>\+)(?=[\w"(])
  | (?:(?P<field>[A-Za-z_]+):)?(?:
        "(?P<phrase>[^"]*)(?P<closed>"?)
      | (?P<word>[^\s()"]+)
    )
  | (?P<junk>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Tok:
    kind: str  # "(", ")", "-", "op", "term"
    text: str = ""
    field: str | None = None
    phrase: bool = False


@dataclass
class _Reader:
    tokens: list[_Tok]
    warnings: list[str] = field(default_factory=list)
    pos: int = 0
    nodes: int = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def parse(text: str) -> ParsedQuery:
    """Read ``text`` into a query tree; never raises."""
    warnings: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        warnings.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
    reader = _Reader(_lex(text, warnings), warnings)
    node = _or(reader, depth=0)
    while reader.peek() is not None:  # stray ")" at top level
        reader.take()
        reader.warn("unbalanced ')' ignored")
        more = _or(reader, depth=0)
        node = _and_of([node, more])
    return ParsedQuery(node, tuple(reader.warnings))


def _lex(text: str, warnings: list[str]) -> list[_Tok]:
    tokens: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if m.group("lparen"):
            tokens.append(_Tok("("))
        elif m.group("rparen"):
            tokens.append(_Tok(")"))
        elif m.group("minus"):
            tokens.append(_Tok("-"))
        elif m.group("phrase") is not None:
            if not m.group("closed"):
                warnings.append("unbalanced quote: phrase closed at the end of the query")
            tokens.append(_Tok("term", m.group("phrase"), m.group("field"), phrase=True))
        elif m.group("word") is not None:
            word, name = m.group("word"), m.group("field")
            if name is None and word in _OPERATORS:
                tokens.append(_Tok("op", word))
            else:
                tokens.append(_Tok("term", word, name))
        elif kind == "field":  # "title:" followed by nothing usable
            warnings.append(f"'{m.group(0)}' has no value and was ignored")
    return tokens


def _or(r: _Reader, depth: int) -> Node:
    items = [_and(r, depth)]
    while (tok := r.peek()) is not None and tok.kind == "op" and tok.text == "OR":
        r.take()
        if (nxt := r.peek()) is None or nxt.kind == ")" or (nxt.kind == "op" and nxt.text == "OR"):
            r.warn("'OR' without a right-hand side ignored")
            continue
        items.append(_and(r, depth))
    items = [i for i in items if not isinstance(i, MatchAll)] or [MatchAll()]
    return items[0] if len(items) == 1 else Or(tuple(items))


def _and(r: _Reader, depth: int) -> Node:
    items: list[Node] = []
    while (tok := r.peek()) is not None and tok.kind != ")":
        if tok.kind == "op" and tok.text == "OR":
            if not items:
                r.take()
                r.warn("'OR' without a left-hand side ignored")
                continue
            break
        if tok.kind == "op" and tok.text == "AND":
            r.take()
            continue
        node = _unary(r, depth)
        if node is not None:
            items.append(node)
    return _and_of(items)


def _and_of(items: list[Node]) -> Node:
    flat: list[Node] = []
    for item in items:
        if isinstance(item, And):
            flat.extend(item.items)
        elif not isinstance(item, MatchAll):
            flat.append(item)
    if not flat:
        return MatchAll()
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _unary(r: _Reader, depth: int) -> Node | None:
    tok = r.take()
    if tok.kind in ("-",) or (tok.kind == "op" and tok.text == "NOT"):
        if (nxt := r.peek()) is None or nxt.kind == ")" or nxt.kind == "op":
            r.warn(f"'{tok.text or tok.kind}' with nothing after it ignored")
            return None
        inner = _unary(r, depth)
        return Not(inner) if inner is not None else None
    if tok.kind == "(":
        if depth >= 32:
            r.warn("parentheses nested too deeply were flattened")
            while (nxt := r.peek()) is not None and nxt.kind == "(":
                r.take()
            return None
        inner = _or(r, depth + 1)
        if r.peek() is None:
            r.warn("unbalanced '(' closed at the end of the query")
        else:
            r.take()
        return None if isinstance(inner, MatchAll) else inner
    r.nodes += 1
    if r.nodes > MAX_NODES:
        r.warn(f"only the first {MAX_NODES} terms of the query were used")
        return None
    return _term(tok, r)


def _term(tok: _Tok, r: _Reader) -> Node | None:
    name = tok.field.lower() if tok.field else None
    text = tok.text.strip()
    if name is not None and name not in FIELDS:
        r.warn(f"unknown field '{tok.field}': searched as words")
        return Phrase(f"{tok.field} {text}") if tok.phrase else Word(f"{tok.field}:{text}")
    if not text:
        return None
    if name == "date":
        try:
            return Dates(parse_date_range(text))
        except ValueError as err:
            r.warn(f"date:{text} ignored: {err}")
            return None
    if name in KEYWORD_FIELDS:
        return Keyword(name, text)
    return _words(text, name, phrase=tok.phrase)


_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<edits>\d)?$")


def _words(text: str, name: str | None, phrase: bool) -> Node | None:
    if phrase or " " in text:
        return Phrase(" ".join(text.split()), name)
    if text.endswith("*") and len(text.rstrip("*")) >= 1:
        return Prefix(text.rstrip("*"), name)
    if (m := _FUZZY.match(text)) is not None:
        word = m.group("word")
        edits = int(m.group("edits")) if m.group("edits") else (2 if len(word) >= 5 else 1)
        return Fuzzy(word, max(0, min(edits, 2)), name)
    return Word(text, name)


def any_word(node: Node) -> Node:
    """The query with its top-level words ORed (NOT, fields and dates stay required);
    each side of a top-level OR is loosened the same way."""
    if isinstance(node, Or):
        return Or(tuple(any_word(item) for item in node.items))
    if not isinstance(node, And):
        return node
    required = tuple(i for i in node.items if isinstance(i, (Not, Keyword, Dates)))
    optional = tuple(i for i in node.items if not isinstance(i, (Not, Keyword, Dates)))
    if len(optional) < 2:
        return node
    return _and_of([*required, Or(optional)])


def words_of(node: Node) -> list[str]:
    """The plain words a query looks for (outside NOT), for spelling suggestions."""
    if isinstance(node, Word) and node.field in (None, "title", "body"):
        return [node.text]
    if isinstance(node, (And, Or)):
        return [w for item in node.items for w in words_of(item)]
    return []


def replace_words(node: Node, replacements: dict[str, str]) -> Node:
    """``node`` with plain words swapped for their replacements."""
    if isinstance(node, Word) and node.text in replacements:
        return Word(replacements[node.text], node.field)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(replace_words(i, replacements) for i in node.items))
    return node
