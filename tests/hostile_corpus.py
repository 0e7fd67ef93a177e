"""A hostile corpus: every kind of bad input a news archive meets, beside good articles.

``write_hostile_corpus(root)`` writes it and returns what a reindex must make of it:
the articles it must index (``good``: id -> a word only that article has) and the
problems it must report (``expected``: (path, line, a fragment of the reason)).

Bad input: binary files, NUL bytes, control characters, a 50 MB single-line file,
10,000-level nested JSON, a number of 5,000 digits, JSON of the wrong types (a
number as title, a list as body, an object as id), empty and blank files, UTF-16
without a byte order mark, symlink loops, a broken symlink, a symlink to itself,
a FIFO, a file name that is not UTF-8, lone surrogates, a 19 MB article. Good
input in awkward form: cp1252, UTF-16 with a BOM (text and JSONL), invalid dates
(the article is indexed undated, the date reported), a list as body.

Files that vanish during the walk need a hook in the reindex: ``write_vanishing(root)``
writes them in a corpus of their own, and ``VANISH_*`` name them.

    python tests/hostile_corpus.py DIR      # write one to look at
"""

from __future__ import annotations

import json
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

BIG_LINE_MB = 50
HUGE_ARTICLE_MB = 18  # one article in a .txt file, under the 20 MB file limit
NESTING = 10_000
# Files a test deletes while the reindex runs (see test_hostile_corpus.py).
VANISH_AFTER_WALK = "after-walk.json"  # listed by the walk, gone before it is hashed
VANISH_BEFORE_READ = "before-read.json"  # hashed, gone before it is read
VANISH_FOLDER = "folder"  # listed, gone before the walk enters it


@dataclass
class HostileCorpus:
    root: Path
    good: dict[str, str] = field(default_factory=dict)  # article id -> its unique word
    expected: list[tuple[str, int | None, str]] = field(default_factory=list)  # (path, line, reason)
    undated: set[str] = field(default_factory=set)  # ids indexed without their (invalid) date
    big_bytes: int = 0


def _words(rng: random.Random, n: int) -> str:
    vocab = ["market", "river", "council", "harvest", "budget", "railway", "festival", "drought"]
    return " ".join(rng.choice(vocab) for _ in range(n))


def write_hostile_corpus(root: Path, *, big_line_mb: int = BIG_LINE_MB) -> HostileCorpus:
    """Write the hostile corpus under ``root`` (created); see the module docstring."""
    rng = random.Random(1957)
    root.mkdir(parents=True, exist_ok=True)
    c = HostileCorpus(root)

    def put(rel: str, data: bytes | str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def bad(rel: str, reason: str, line: int | None = None) -> None:
        c.expected.append((rel, line, reason))

    def article(word: str, **extra: object) -> dict:
        return {
            "title": f"Report on {word}",
            "body": f"The {word} story. " + _words(rng, 40),
            "source": "hostile.example",
            **extra,
        }

    # --- good articles, some in awkward form --------------------------------
    put("good/plain.txt", "Council approves the zebrafinch budget\n\nThe council approved it. " + _words(rng, 60))
    c.good["good/plain"] = "zebrafinch"
    put("good/article.json", json.dumps(article("quillwort", id="good-json", published="2024-05-01")))
    c.good["good-json"] = "quillwort"
    put(
        "good/cp1252.txt",
        (
            "Caf\xe9 owners meet the mayor\n\n"
            "The caf\xe9 owners\u2019 kingcup meeting went well. \u201cFine,\u201d they said."
        ).encode("cp1252"),
    )
    c.good["good/cp1252"] = "kingcup"
    put("good/utf16.txt", "Ferry crosses the lake\n\nThe marshwort ferry crossed the lake on Tuesday.".encode("utf-16"))
    c.good["good/utf16"] = "marshwort"
    lines = [json.dumps(article("bogbean", id="u16-1")), json.dumps(article("sundew", id="u16-2"))]
    put("good/utf16.jsonl", "\n".join(lines).encode("utf-16"))
    c.good |= {"u16-1": "bogbean", "u16-2": "sundew"}
    put("good/list-body.json", json.dumps(dict(article("fieldfare", id="list-body"), body=["The fieldfare.", "Second part."])))
    c.good["list-body"] = "fieldfare"
    put("good/bad-date.json", json.dumps(article("whinchat", id="bad-date", published="2024-13-45")))
    c.good["bad-date"] = "whinchat"
    c.undated.add("bad-date")
    bad("good/bad-date.json", "is not a valid date")
    put("good/nul-escape.json", json.dumps(article("yellowhammer", id="nul-escape", title="NUL \x00 in the title")))
    c.good["nul-escape"] = "yellowhammer"
    put("good/surrogate.json", '{"id": "surrogate", "title": "Lone \\ud800 surrogate", "body": "The goldcrest \\udfff story."}')
    c.good["surrogate"] = "goldcrest"
    name = os.fsdecode(b"good/not-utf8-\xff.json")
    put(name, json.dumps(article("linnet", id="not-utf8-name")))
    c.good["not-utf8-name"] = "linnet"
    page = (
        "<html><head><title>Stonechat census results</title></head><body><article><h1>Stonechat census results</h1>"
        + "".join(f"<p>The stonechat census counted birds in region {i}. {_words(rng, 30)}</p>" for i in range(5))
        + "</article></body></html>"
    )
    put("good/page.html", page)
    c.good["good/page"] = "stonechat"
    # words no other article has: more-like-this never shows this one (its snippets would
    # be slow: see test_hostile_requests.py, the test of many matches in one article)
    text = "lorem ipsum dolor sit amet consectetur adipiscing elit sed eiusmod tempor " * 10
    huge = "Huge article\n\nThe wryneck story. " + text * (HUGE_ARTICLE_MB * 1024 * 1024 // len(text))
    put("good/huge.txt", huge)  # under the 20 MB file limit: indexed, its body cut
    c.good["good/huge"] = "wryneck"
    bad("good/huge.txt", "body cut to")

    # --- a feed with good and bad lines -------------------------------------
    feed = [
        json.dumps(article("redpoll", id="feed-1")),  # 1
        "{not json",  # 2
        "[" * NESTING + "]" * NESTING,  # 3
        json.dumps({"title": 42, "body": "A number as title."}),  # 4
        json.dumps(article("brambling", id="feed-5")),  # 5
        json.dumps({"title": "A list of numbers", "body": [1, 2, 3]}),  # 6
        json.dumps(article("twite", id="feed-7", published="31/31/2031")),  # 7: indexed, date reported
        '{"id": ' + "7" * 5000 + ', "title": "t", "body": "b"}',  # 8
        json.dumps({"id": {"nested": True}, "title": "Object id", "body": "x"}),  # 9
        "\x01\x02\x03\x04\x05\x06\x07\x08" * 20,  # 10: control characters
        "",  # 11: blank lines are skipped silently
        json.dumps(article("siskin", id="feed-12")),  # 12
    ]
    put("feed/mixed.jsonl", "\n".join(feed) + "\n")
    c.good |= {"feed-1": "redpoll", "feed-5": "brambling", "feed-7": "twite", "feed-12": "siskin"}
    c.undated.add("feed-7")
    for line, reason in (
        (2, "invalid JSON"),
        (3, "nested too deeply"),
        (4, "title must be a string"),
        (6, "body must be a string or a list of strings"),
        (7, "is not a valid date"),
        (8, "invalid JSON"),
        (9, "id must be a string or an integer"),
        (10, "binary"),
    ):
        bad("feed/mixed.jsonl", reason, line)
    big = "feed/big-line.jsonl"
    with open(root / big, "wb") as f:  # one 50 MB line, then a good one
        f.write(b'{"title": "Big", "body": "')
        chunk = (b"word " * 1024) * 1024
        for _ in range(big_line_mb * 1024 * 1024 // len(chunk)):
            f.write(chunk)
        f.write(b'"}\n')
        f.write(json.dumps(article("crossbill", id="after-big")).encode() + b"\n")
    c.big_bytes = (root / big).stat().st_size
    c.good["after-big"] = "crossbill"
    bad(big, "line too large", 1)
    items = [article("hawfinch", id="list-1"), 5, {"title": ["a", "list"], "body": "x"}, article("dipper", id="list-4")]
    put("feed/list.json", json.dumps(items))
    c.good |= {"list-1": "hawfinch", "list-4": "dipper"}
    bad("feed/list.json", "item 2: expected an object, got int")
    bad("feed/list.json", "item 3: title must be a string, got list")

    # --- bad files ----------------------------------------------------------
    put("bad/binary.txt", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00")
    bad("bad/binary.txt", "binary file")
    put("bad/nul.txt", b"A title\n\nText with a NUL \x00 byte in it.")
    bad("bad/nul.txt", "binary file")
    put("bad/controls.txt", b"\x01\x02\x03\x04\x05\x06" * 100)
    bad("bad/controls.txt", "binary file")
    put("bad/binary.json", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    bad("bad/binary.json", "binary file")
    put("bad/utf16-no-bom.txt", "No byte order mark here.".encode("utf-16-le"))
    bad("bad/utf16-no-bom.txt", "binary file")
    put("bad/empty.txt", b"")
    bad("bad/empty.txt", "empty file")
    put("bad/blank.json", b"  \n\t\n")
    bad("bad/blank.json", "only whitespace")
    put("bad/deep.json", "[" * NESTING + "]" * NESTING)
    bad("bad/deep.json", "nested too deeply")
    put("bad/deep-object.json", '{"title": "x", "body": ' + '{"a": ' * NESTING + "1" + "}" * NESTING + "}")
    bad("bad/deep-object.json", "nested too deeply")
    put("bad/number-title.json", json.dumps({"title": 3.14, "body": "Pi."}))
    bad("bad/number-title.json", "title must be a string, got float")
    put("bad/list-title.json", json.dumps({"title": ["a", "b"], "body": "x"}))
    bad("bad/list-title.json", "title must be a string, got list")
    put("bad/object-body.json", json.dumps({"title": "x", "body": {"text": "y"}}))
    bad("bad/object-body.json", "body must be a string or a list of strings, got dict")
    put("bad/number.json", "12345")
    bad("bad/number.json", "expected an object or a list of objects, got int")
    put("bad/empty-list.json", "[]")
    bad("bad/empty-list.json", "an empty list")
    put("bad/huge-int.json", '{"id": ' + "9" * 5000 + ', "title": "t", "body": "b"}')
    bad("bad/huge-int.json", "invalid JSON")
    put("bad/nothing.json", json.dumps({"title": "", "body": "  "}))
    bad("bad/nothing.json", "no title and no body")
    put("bad/long-id.json", json.dumps(article("nowhere", id="x" * 10_000)))
    bad("bad/long-id.json", "id longer than")
    put("bad/truncated.json", '{"title": "Cut off", "body": "The file ends in the mid')
    bad("bad/truncated.json", "invalid JSON", 1)
    put("bad/not-html.html", bytes(range(1, 9)) * 200)
    bad("bad/not-html.html", "binary file")

    # --- things that are not files ------------------------------------------
    links = root / "links"
    links.mkdir()
    (links / "loop").symlink_to(".")  # a folder that contains itself
    bad("links/loop", "symlink loop")
    (links / "up").symlink_to("..")  # a folder that contains the corpus root
    bad("links/up", "symlink loop")
    (links / "self.txt").symlink_to("self.txt")  # ELOOP
    bad("links/self.txt", "Too many levels of symbolic links")
    (links / "broken.json").symlink_to("nowhere.json")
    bad("links/broken.json", "broken symlink")
    os.mkfifo(links / "pipe.txt")  # opening it would block for ever
    bad("links/pipe.txt", "not a regular file")
    return c


def write_vanishing(root: Path) -> HostileCorpus:
    """Three files for a test to delete while the reindex runs: each must be reported, not fatal."""
    c = HostileCorpus(root)
    files = (VANISH_AFTER_WALK, "nightjar"), (VANISH_BEFORE_READ, "nuthatch"), (VANISH_FOLDER + "/in.json", "wren")
    for rel, word in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"title": f"Report on {word}", "body": f"The {word} story."}), "utf-8")
    c.expected += [
        (VANISH_AFTER_WALK, None, "cannot read: No such file or directory"),
        (VANISH_BEFORE_READ, None, "cannot read: No such file or directory"),
        (VANISH_FOLDER, None, "vanished during the walk"),
    ]
    return c


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    corpus = write_hostile_corpus(target)
    print(f"wrote {target}: {len(corpus.good)} good articles, {len(corpus.expected)} problems to report")
