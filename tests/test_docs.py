"""The docs are tested: README.md and docs/*.md say what the code does.

- every ```python block runs, in a folder holding a copy of ``seeds/`` and
  ``instance/``, an index of them (a block opts out only with a
  ``<!-- not run: reason -->`` line before it);
- every ``manage.py`` command line in a shell block parses with the real argparse
  parser, and runs the virtualenv's Python; every command and option of that parser
  is documented in docs/guide.md, in the command's own section;
- every Flask route has a ``GET /path`` heading in docs/http-api.md, and every URL
  parameter the web layer reads (found by recording what requests read, and by
  scanning web/ for the names it reads) is in one of its parameter tables; every
  ``curl`` example answers as documented; the JSON search answer shown has the keys
  the API gives;
- each public name of ``indexer``, ``Index`` method and search parameter is in
  docs/python-api.md;
- the JSON and TOML examples are read by the readers they are written for;
- every relative link (README to docs/, between docs) resolves, anchors included.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import ClassVar, NamedTuple

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

import indexer
from indexer import Index, SearchRequest, reindex
from indexer.cli import _parser
from web import create_app

pytestmark = [pytest.mark.index, pytest.mark.web]

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
GUIDE, HTTP_API, PYTHON_API = DOCS / "guide.md", DOCS / "http-api.md", DOCS / "python-api.md"
DOC_FILES = [README, *sorted(DOCS.glob("*.md"))]
SHELLS = ("sh", "shell", "bash", "console")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<reason>.*?)\s*-->$")
SAMPLE_PATH_VALUES = {"article_id": "004_04d21494b0b19014", "field": "actor", "filename": "style.css"}


# -- reading the docs -------------------------------------------------------------------


class Block(NamedTuple):
    path: Path
    line: int  # of the opening fence, from 1
    lang: str
    text: str
    not_run: str | None  # the reason given by a <!-- not run: ... --> marker before it

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def blocks(path: Path, *langs: str) -> list[Block]:
    """The fenced code blocks of a Markdown file (of the given languages)."""
    found: list[Block] = []
    lines = path.read_text("utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^(```+)\s*([\w+-]*)", lines[i])
        if not fence:
            i += 1
            continue
        start, lang = i, fence.group(2).lower()
        i += 1
        while i < len(lines) and not lines[i].startswith(fence.group(1)):
            i += 1
        before = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marker = NOT_RUN.match(before)
        text = "\n".join(lines[start + 1 : i]) + "\n"
        found.append(Block(path, start + 1, lang, text, marker.group("reason") if marker else None))
        i += 1
    return [b for b in found if not langs or b.lang in langs]


def all_blocks(*langs: str) -> list[Block]:
    return [b for path in DOC_FILES for b in blocks(path, *langs)]


def prose(path: Path) -> str:
    """A Markdown file without its fenced blocks."""
    return re.sub(r"^```.*?^```[^\n]*$", "", path.read_text("utf-8"), flags=re.DOTALL | re.MULTILINE)


def section(path: Path, heading: re.Pattern[str]) -> str:
    """The text under the first heading that matches, up to the next heading of its level or above."""
    lines = path.read_text("utf-8").splitlines()
    for n, line in enumerate(lines):
        head = re.match(r"^(#+) ", line)
        if head and heading.search(line):
            level = len(head.group(1))
            end = next(
                (m for m in range(n + 1, len(lines)) if re.match(rf"^#{{1,{level}}} ", lines[m])), len(lines)
            )
            return "\n".join(lines[n:end])
    raise AssertionError(f"{path.relative_to(REPO)} has no heading matching {heading.pattern!r}")


def tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables of a text: rows of cells, the header first, the rule left out."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def has_option(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


# -- (a) the Python examples run ---------------------------------------------------------

PYTHON_BLOCKS = all_blocks("python", "py")


def test_the_docs_have_python_examples() -> None:
    places = {b.path.name for b in PYTHON_BLOCKS if b.not_run is None}
    assert {"README.md", "python-api.md"} <= places, places


@pytest.fixture
def example_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory of an example: a copy of seeds/ and instance/, an index of it."""
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSDEX_DATA", raising=False)
    report = reindex(["seeds"], "instance")
    assert report.added == 5 and not report.problems, report.problems
    return tmp_path


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[b.where for b in PYTHON_BLOCKS])
def test_python_example_runs(block: Block, example_folder: Path) -> None:
    if block.not_run is not None:
        assert block.not_run, f"{block.where}: a block left out of the run says why"
        pytest.skip(f"{block.where}: not run: {block.not_run}")
    code = compile(block.text, block.where, "exec")
    exec(code, {"__name__": "__main__"})  # the docs' own examples


# -- (b) the command line ----------------------------------------------------------------


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]


def command_section(name: str) -> str:
    return section(GUIDE, re.compile(rf"`manage\.py {re.escape(name)}`"))


def test_every_command_and_option_is_in_the_guide() -> None:
    guide = GUIDE.read_text("utf-8")
    missing = [o for a in options(_parser()) for o in a.option_strings if not has_option(guide, o)]
    for name, parser in subcommands().items():
        text = command_section(name)  # fails if the command has no section
        for action in options(parser):
            missing += [f"{name} {o}" for o in action.option_strings if not has_option(text, o)]
            missing += [f"{name} {action.option_strings[0]} {c}" for c in action.choices or () if str(c) not in text]
    assert not missing, f"not documented in docs/guide.md: {missing}"


def test_the_guide_names_no_option_a_command_lacks() -> None:
    common = {o for a in _parser()._actions for o in a.option_strings}
    wrong = []
    for name, parser in subcommands().items():
        known = common | {o for a in parser._actions for o in a.option_strings}
        mentioned = set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", command_section(name)))
        wrong += [f"{name} {o}" for o in sorted(mentioned - known)]
    assert not wrong, f"docs/guide.md names options these commands do not have: {wrong}"


def command_lines(block: Block) -> list[str]:
    """The shell commands of a block that run manage.py (continuations joined, chains split)."""
    text = block.text.replace("\\\n", " ")
    return [part for line in text.splitlines() for part in re.split(r"&&|;|\|\|", line) if "manage.py" in part]


SHELL_COMMANDS = [(b, c) for b in all_blocks(*SHELLS) for c in command_lines(b)]


def test_the_docs_show_commands() -> None:
    assert {b.path.name for b, _ in SHELL_COMMANDS} >= {"README.md", "guide.md"}


@pytest.mark.parametrize("block,command", SHELL_COMMANDS, ids=[f"{b.where}:{c.strip()[:60]}" for b, c in SHELL_COMMANDS])
def test_documented_command_lines_parse(block: Block, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    words = shlex.split(command, comments=True)
    at = next(i for i, w in enumerate(words) if w.endswith("manage.py"))
    assert at > 0 and words[at - 1] == ".venv/bin/python", (
        f"{block.where}: run manage.py with the virtualenv's Python (.venv/bin/python): {command.strip()}"
    )
    try:
        _parser().parse_args(words[at + 1 :])
    except SystemExit:
        pytest.fail(f"{block.where}: manage.py refuses {command.strip()!r}: {capsys.readouterr().err}")


# -- (c) the HTTP API --------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(seeds_data: Path):
    return create_app(seeds_data)


def route_pattern(rule: str) -> str:
    """A route as a regex: ``<path:article_id>`` matches any ``<name>``."""
    return "".join(re.escape(p) if not p.startswith("<") else r"<[^>]+>" for p in re.split(r"(<[^>]+>)", rule))


def documented_routes() -> list[tuple[str, str]]:
    """The ``METHOD /path`` headings of docs/http-api.md."""
    text = HTTP_API.read_text("utf-8")
    return re.findall(r"^#+ `([A-Z]+) (/\S*)`\s*$", text, flags=re.MULTILINE)


def test_every_route_has_a_section(app) -> None:
    documented = documented_routes()
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if not any(m == method and re.fullmatch(route_pattern(rule.rule), p) for m, p in documented):
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes without a '### `METHOD /path`' heading in docs/http-api.md: {missing}"


def test_every_documented_route_exists(app) -> None:
    rules = [(r.methods, route_pattern(r.rule)) for r in app.url_map.iter_rules()]
    stale = [f"{m} {p}" for m, p in documented_routes() if not any(m in ms and re.fullmatch(rx, p) for ms, rx in rules)]
    assert not stale, f"docs/http-api.md documents routes the app does not have: {stale}"


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that note each name the web layer asks for."""

    asked: ClassVar[set[str]] = set()

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        RecordingArgs.asked.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


def parameters_read_by_requests(data_dir: Path) -> set[str]:
    """The URL parameters each route reads, recorded on one request to each."""
    app = create_app(data_dir)
    app.request_class = RecordingRequest
    RecordingArgs.asked = set()
    adapter = app.url_map.bind("localhost")
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        unknown = set(rule.arguments) - set(SAMPLE_PATH_VALUES)
        assert not unknown, f"{rule.rule}: give test_docs a sample value for {unknown}"
        url = adapter.build(rule.endpoint, {a: SAMPLE_PATH_VALUES[a] for a in rule.arguments})
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
    return set(RecordingArgs.asked)


ARGS_EXPRESSION = re.compile(r"(^|\.)args$|^multi$")


def parameters_named_in_web() -> set[str]:
    """The names web/ reads from the query: ``args.get("x")``, ``args.getlist("x")``,
    ``args["x"]`` and helpers called as ``helper(args, "x", ...)``."""
    names: set[str | None] = set()

    def is_args(node: ast.expr) -> bool:  # the query arguments, or a conversion of them: _multi(args)
        if isinstance(node, ast.Call):
            return any(is_args(a) for a in node.args)
        return ARGS_EXPRESSION.search(ast.unparse(node)) is not None

    def literal(node: ast.expr) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    for path in sorted((REPO / "web").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("get", "getlist") and is_args(func.value):
                    names.add(literal(node.args[0]) if node.args else None)
                names.update(literal(b) for a, b in zip(node.args, node.args[1:]) if is_args(a))
            elif isinstance(node, ast.Subscript) and is_args(node.value):
                names.add(literal(node.slice))
    return {n for n in names if n}


def documented_parameters() -> set[str]:
    """The names in the first column of the tables headed "parameter" in docs/http-api.md."""
    names: set[str] = set()
    for table in tables(prose(HTTP_API)):
        if table[0][0].lower() == "parameter":
            for row in table[1:]:
                names.update(re.findall(r"`([^`]+)`", row[0]))
    return names


def parameters_listed_in_web() -> set[str]:
    """The URL names a table of web.params lists, if it has one (``URL_FIELDS``)."""
    from web import params

    return set(getattr(params, "URL_FIELDS", ()))


def test_every_url_parameter_is_documented(seeds_data: Path) -> None:
    recorded = parameters_read_by_requests(seeds_data)
    assert {"q", "source", "page", "size", "limit"} <= recorded, recorded
    read = recorded | parameters_named_in_web() | parameters_listed_in_web()
    documented = documented_parameters()
    missing = sorted(read - documented)
    assert not missing, f"URL parameters missing from the parameter tables of docs/http-api.md: {missing}"
    assert not documented - read, f"docs/http-api.md documents parameters nothing reads: {sorted(documented - read)}"


CURLS = [
    (b, line)
    for path in (README, HTTP_API)
    for b in blocks(path, *SHELLS)
    for line in b.text.splitlines()
    if line.lstrip().startswith("curl ")
]


def test_the_docs_show_curl_examples() -> None:
    assert {b.path.name for b, _ in CURLS} == {"README.md", "http-api.md"}


@pytest.mark.parametrize("block,command", CURLS, ids=[f"{b.where}:{c.strip()[:70]}" for b, c in CURLS])
def test_curl_example_answers_as_documented(block: Block, command: str, app) -> None:
    (url,) = [w for w in shlex.split(command, comments=True) if w.startswith("http")]
    assert url.startswith("http://127.0.0.1:8000/"), url
    after = block.text.split(command, 1)[1]
    shown = re.match(r"\s*# HTTP/1\.1 (\d{3})", after)
    expected = int(shown.group(1)) if shown else 200
    response = app.test_client().get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == expected, (block.where, url, response.get_data(as_text=True)[:300])
    if shown and (body := re.match(r"\s*# HTTP/1\.1 .*\n# (\{.*\})", after)):
        assert response.get_json() == json.loads(body.group(1)), block.where


def same_keys(shown: object, actual: object, where: str = "") -> list[str]:
    """Where the keys of a JSON example differ from a real answer ("..." stands for any)."""
    wrong: list[str] = []
    if isinstance(shown, dict) and isinstance(actual, dict):
        for key, value in shown.items():
            if key == "...":
                continue
            if key not in actual:
                wrong.append(f"{where}.{key} (not in the answer)")
            else:
                wrong += same_keys(value, actual[key], f"{where}.{key}")
        if "..." not in shown:
            wrong += [f"{where}.{k} (not shown)" for k in actual if k not in shown]
    elif isinstance(shown, list) and isinstance(actual, list) and shown and actual:
        wrong += same_keys(shown[0], actual[0], f"{where}[0]")
    return wrong


def test_the_search_answer_shown_has_the_api_keys(app) -> None:
    (example,) = [json.loads(b.text) for b in blocks(HTTP_API, "json") if '"hits"' in b.text]
    actual = app.test_client().get("/api/search?q=bamako&size=1").get_json()  # with links.next
    assert not same_keys(example, actual), same_keys(example, actual)


# -- the Python API ----------------------------------------------------------------------


def test_every_public_name_is_in_the_python_api_doc() -> None:
    code = " ".join(re.findall(r"`([^`]+)`", prose(PYTHON_API)))  # the inline code of its text
    names = [*indexer.__all__, *(m for m in dir(Index) if not m.startswith("_"))]
    names += [f.name for f in dataclasses.fields(SearchRequest)]
    missing = [n for n in names if not re.search(rf"(?<![\w-]){n}(?![\w-])", code)]
    assert not missing, f"not in the text of docs/python-api.md: {missing}"


# -- the data examples are read as they say -----------------------------------------------


def test_json_article_examples_are_read(tmp_path: Path) -> None:
    examples = [b for b in blocks(GUIDE, "json")]
    assert examples
    for n, block in enumerate(examples):
        corpus = tmp_path / f"corpus{n}"
        corpus.mkdir()
        (corpus / "example.json").write_text(block.text, "utf-8")
        report = reindex([corpus], tmp_path / f"data{n}")
        assert report.added >= 1 and not report.problems, (block.where, report.problems)


def test_alias_examples_load(tmp_path: Path) -> None:
    from indexer.actors import load_aliases

    examples = all_blocks("toml")
    assert examples
    for n, block in enumerate(examples):
        path = tmp_path / f"aliases{n}.toml"
        path.write_text(block.text, "utf-8")
        load_aliases(path)  # raises, naming the file and what is wrong


# -- (d) links ----------------------------------------------------------------------------


def slugs(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for heading in re.findall(r"^#+ (.+?)\s*$", prose(path), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def links(path: Path) -> list[str]:
    return [t for t in re.findall(r"\]\(([^)\s]+)\)", prose(path)) if not re.match(r"[a-z]+:", t)]


def test_readme_links_every_doc() -> None:
    linked = {(README.parent / t.split("#")[0]).resolve() for t in links(README) if t.startswith("docs/")}
    missing = [p.name for p in sorted(DOCS.glob("*.md")) if p.resolve() not in linked]
    assert not missing, f"README.md does not link {missing}"


@pytest.mark.parametrize("path", DOC_FILES, ids=[p.name for p in DOC_FILES])
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in links(path):
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in slugs(linked)):
            broken.append(target)
    assert not broken, f"{path.relative_to(REPO)}: broken links {broken}"


def test_ci_runs_the_test_command_the_readme_gives() -> None:
    """.ci/run is README's set-up-and-test command, made quiet: the two cannot drift apart."""
    readme = next(line for line in (REPO / "README.md").read_text("utf-8").splitlines() if line.startswith("apt-get update"))
    ci = (REPO / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]

    def loud(command: str) -> str:
        return re.sub(r" -qq?\b| >/dev/null", "", command)

    assert loud(ci) == readme
