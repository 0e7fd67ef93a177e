"""The request contract (indexer.search.request): what a search may ask for, its limits,
the conversions of loose values, and the parameter each refusal names; then the same
limits as the HTTP API and the CLI show them, each naming the parameter its own way."""

from __future__ import annotations

import datetime as dt

import pytest

import indexer
from indexer.cli import main as cli
from indexer.search import index as index_module
from indexer.search import request as contract
from indexer.search.request import FACETS, InvalidRequest, SearchRequest, make_request
from web import create_app, params

pytestmark = [pytest.mark.unit]  # the tests over a real index or app say so themselves


def refused(param: str, **values: object) -> InvalidRequest:
    """The error ``make_request`` raises for these values; it names ``param``."""
    with pytest.raises(InvalidRequest) as caught:
        make_request(**values)  # type: ignore[arg-type]
    assert caught.value.param == param, caught.value
    return caught.value


# --- the limits ----------------------------------------------------------------------


def test_the_limits():
    assert contract.MAX_QUERY_CHARS == 1000
    assert (contract.MAX_PAGE, contract.MAX_PAGE_SIZE, contract.DEFAULT_PAGE_SIZE) == (10_000, 100, 10)
    assert (contract.MAX_FACET_SIZE, contract.DEFAULT_FACET_SIZE) == (1000, 10)
    assert (contract.MAX_FILTER_VALUES, contract.MAX_VALUE_CHARS) == (50, 200)
    assert contract.SORTS == ("relevance", "newest", "oldest") and contract.MATCHES == ("all", "any")


@pytest.mark.parametrize(
    ("param", "low", "high"),
    [("page", 1, 10_000), ("page_size", 1, 100), ("facet_size", 1, 1000)],
)
def test_whole_numbers_are_inclusive_ranges(param, low, high):
    assert getattr(make_request(**{param: low}), param) == low
    assert getattr(make_request(**{param: high}), param) == high
    assert "must be a whole number" in refused(param, **{param: low - 1}).message
    assert "must be a whole number" in refused(param, **{param: high + 1}).message


def test_query_length_and_filter_sizes():
    assert make_request("x" * 1000).q == "x" * 1000
    assert refused("q", q="x" * 1001).message == "is 1001 characters long; the limit is 1000"
    assert len(make_request(sources=[f"s{i}" for i in range(50)]).sources) == 50
    assert refused("sources", sources=[f"s{i}" for i in range(51)]).message == "has 51 values; the limit is 50"
    assert make_request(actors=["a" * 200]).actors == ("a" * 200,)
    refused("actors", actors=["a" * 201])


def test_defaults():
    assert make_request() == SearchRequest() == SearchRequest(
        q="", sources=(), actors=(), dates=(), date_from=None, date_to=None, sort="relevance", match="all",
        page=1, page_size=10, collapse=True, facet_size=10, snippets=True,
    )


# --- conversions ----------------------------------------------------------------------


def test_loose_values_are_converted():
    request = make_request(
        "  Bamako  ",
        sources=["ghanaweb.com", " ghanaweb.com ", "", "gambiaj.com"],  # stripped, blanks and repeats dropped
        actors={"JNIM"},  # any collection of strings
        dates=("2024", "2024-09", "2024-09-17", "undated"),
        date_from="2024-09-01",
        date_to=dt.datetime(2024, 9, 30, 12, 0),
        sort=" newest ",
        page="2",  # digits, as a URL or a command line gives them
        page_size=20,
        collapse="0",
        snippets="off",
    )
    assert request.q == "Bamako"
    assert request.sources == ("ghanaweb.com", "gambiaj.com") and request.actors == ("JNIM",)
    assert request.dates == ("2024", "2024-09", "2024-09-17", "undated")
    assert (request.date_from, request.date_to) == (dt.date(2024, 9, 1), dt.date(2024, 9, 30))
    assert (request.sort, request.page, request.page_size) == ("newest", 2, 20)
    assert request.collapse is False and request.snippets is False


def test_an_empty_string_means_not_given():
    assert make_request(sort="", page=" ", page_size="", date_from="", collapse="") == SearchRequest()


@pytest.mark.parametrize(
    ("param", "value", "says"),
    [
        ("q", 3, "must be a string, not int"),
        ("q", "mali\x00", "contains a NUL character"),
        ("sources", "ghanaweb.com", "not str (sources=['ghanaweb.com'] for one value)"),
        ("actors", b"JNIM", "must be a list of strings, not bytes"),
        ("actors", [1], "it holds int 1"),
        ("actors", 7, "must be a list of strings, not int"),
        ("sources", ["a\x00b"], "a value contains a NUL character"),
        ("dates", ["last-week"], "'last-week' is not a period (YYYY, YYYY-MM, YYYY-MM-DD or undated)"),
        ("dates", ["2024-13"], "'2024-13' is not a valid period (month must be in 1..12)"),
        ("date_from", "bad", "'bad' is not an ISO date (YYYY-MM-DD)"),
        ("date_from", "17/09/2024", "is not an ISO date"),
        ("date_to", "2024-02-30", "'2024-02-30' is not a date (day is out of range for month)"),
        ("date_from", 20240901, "must be a date or a YYYY-MM-DD string, not int"),
        ("sort", "popular", "must be one of relevance, newest, oldest (got 'popular')"),
        ("match", "some", "must be one of all, any (got 'some')"),
        ("page", "2.5", "'2.5' is not a whole number from 1 to 10000"),
        ("page", 2.0, "must be a whole number from 1 to 10000, not float"),
        ("page", True, "must be a whole number from 1 to 10000, not bool"),
        ("page", "-1", "'-1' is not a whole number from 1 to 10000"),
        ("page_size", 0, "must be a whole number from 1 to 100 (got 0)"),
        ("collapse", "maybe", "must be 1 or 0 (or true/false, yes/no, on/off)"),
        ("snippets", 2, "must be 1 or 0"),
        ("colour", "red", "is not a search parameter (q, sources, actors, dates, date_from, date_to, sort"),
    ],
)
def test_each_bad_value_is_refused_naming_its_parameter(param, value, says):
    err = refused(param, **{param: value})
    assert says in err.message
    assert str(err) == f"{param}: {err.message}"


def test_a_range_must_not_end_before_it_starts():
    make_request(date_from="2024-09-17", date_to="2024-09-17")
    err = refused("date_from", date_from="2024-09-02", date_to="2024-09-01")
    assert err.message == "2024-09-02 is after the end of the range (2024-09-01)"


def test_a_whole_request_is_checked_too_and_not_mixed_with_keywords():
    request = SearchRequest(q="mali", page=3)
    assert make_request(request) == request
    assert make_request(request, page=1) == request  # a keyword at its default changes nothing
    assert "given both" in refused("page", q=request, page=2).message  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest) as caught:
        make_request(SearchRequest(page_size=1000))  # built unchecked: refused on its way in
    assert caught.value.param == "page_size"


def test_invalid_request_is_one_value_error_class_everywhere():
    assert issubclass(InvalidRequest, ValueError)
    assert indexer.InvalidRequest is InvalidRequest is index_module.InvalidRequest
    err = InvalidRequest("page", "must be a whole number")
    assert (err.param, err.message, str(err)) == ("page", "must be a whole number", "page: must be a whole number")


def test_the_facets_are_named_once():
    assert tuple(FACETS) == ("source", "actor", "date")
    assert {f.filter for f in FACETS.values()} == {"sources", "actors", "dates"}
    assert tuple(f.name for f in params.SIDEBAR) == ("source", "actor")  # the date facet is a histogram, always whole


# --- the Python API -------------------------------------------------------------------------


@pytest.mark.index
def test_the_python_api_converts_or_refuses_naming_the_parameter(seeds_index):
    as_text = seeds_index.search("", date_from="2024-09-17", collapse=False)
    as_date = seeds_index.search("", date_from=dt.date(2024, 9, 17), collapse=False)
    assert [h.id for h in as_text.hits] == [h.id for h in as_date.hits] and as_text.total == 1
    as_list, as_tuple = (seeds_index.search("", sources=s) for s in (["ghanaweb.com"], ("ghanaweb.com",)))
    assert as_list.total == as_tuple.total == 1
    assert seeds_index.search("", page="2", page_size=2).request.page == 2
    for param, value in (("sources", "ghanaweb.com"), ("date_from", "bad"), ("page", 0), ("sort", "popular")):
        with pytest.raises(InvalidRequest) as caught:
            seeds_index.search("mali", **{param: value})
        assert caught.value.param == param
    with pytest.raises(InvalidRequest) as caught:
        seeds_index.facet("colour")
    assert caught.value.param == "field" and "(source, actor, date)" in caught.value.message
    with pytest.raises(InvalidRequest) as caught:
        seeds_index.facet("source", actors="JNIM")
    assert caught.value.param == "actors"


@pytest.mark.index
@pytest.mark.parametrize(
    "call,param",
    [
        (lambda ix, a: ix.article(None), "article_id"),
        (lambda ix, a: ix.story_copy_count(7), "article_id"),
        (lambda ix, a: ix.story_copies(a, "two"), "limit"),
        (lambda ix, a: ix.story_copies(a, 5, -3), "offset"),
        (lambda ix, a: ix.more_like_this(a, -1), "limit"),
        (lambda ix, a: ix.more_like_this(a, 101), "limit"),
        (lambda ix, a: ix.facet(["source"]), "field"),
    ],
)
def test_every_index_method_refuses_a_bad_argument_naming_it(seeds_index, call, param):
    article = seeds_index.search("").hits[0].id
    with pytest.raises(InvalidRequest) as caught:
        call(seeds_index, article)
    assert caught.value.param == param
    assert len(seeds_index.more_like_this(article, "2")) <= 2  # digits are a number, as elsewhere


@pytest.mark.index
def test_the_python_api_reads_a_long_query_leniently(seeds_index):
    """Query text is never refused by the library (its syntax neither): the parser reads
    the first 1,000 characters and says so. People, on the web and the CLI, get an error."""
    result = seeds_index.search("bamako " + "x" * 1500)
    assert "query cut to its first 1000 characters" in result.warnings


@pytest.mark.index
def test_the_facets_of_a_result_follow_the_registry(seeds_index):
    assert tuple(seeds_index.search("").facets) == tuple(FACETS)


# --- the same limits through the HTTP API and the CLI ------------------------------------------

# (request field, a bad value, its URL parameter, its CLI option); the value as text, as both take it
THROUGH_EVERY_FRONT_END = [
    ("q", "x" * 1001, "q", None),
    ("sources", ["s"] * 51, "source", "--source"),
    ("actors", ["a" * 201], "actor", "--actor"),
    ("dates", ["2024-13"], "date", "--date"),
    ("date_from", "17/09/2024", "from", "--from"),
    ("date_to", "2024-02-30", "to", "--to"),
    ("sort", "popular", "sort", "--sort"),
    ("match", "some", "match", "--match"),
    ("page", "0", "page", "--page"),
    ("page", "10001", "page", "--page"),
    ("page_size", "101", "size", "--size"),
    ("page_size", "abc", "size", "--size"),
]


def test_the_web_names_the_request_fields_in_one_table():
    not_in_urls = {"facet_size", "snippets"}
    assert set(params.URL_FIELDS.values()) == set(SearchRequest.__dataclass_fields__) - not_in_urls
    assert params.url_name("page_size") == "size" and params.url_name("collapse") == "all"
    assert params.url_name("limit") == "limit"  # a page's own parameter, as it is
    limits = [name for name in vars(params) if name.startswith(("MAX_", "DEFAULT_"))]
    assert all(name in vars(contract) for name in limits), "no limits of its own: the contract's"


@pytest.mark.index
@pytest.mark.web
@pytest.mark.parametrize(("field", "value", "url", "option"), THROUGH_EVERY_FRONT_END)
def test_the_same_limits_through_the_http_api_and_the_cli(seeds_data, capsys, field, value, url, option):
    expected = refused(field, **{field: value})

    values = value if isinstance(value, list) else [value]
    query = "&".join(f"{url}={v}" for v in values)
    response = create_app(seeds_data).test_client().get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.get_json() == {
        "status": 400, "error": "bad_request", "param": url, "message": f"{url}: {expected.message}",
    }

    args = [v for v in values] if option is None else [a for v in values for a in (option, v)]
    assert cli(["--data", str(seeds_data), "search", *args]) == 2
    named = option or "q"
    assert capsys.readouterr().err == f"error: {named}: {expected.message}\n"


@pytest.mark.index
@pytest.mark.web
def test_all_is_the_inverse_of_collapse_on_the_web_and_the_cli(seeds_data, capsys):
    client = create_app(seeds_data).test_client()
    assert client.get("/api/search?all=1").get_json()["request"]["collapse"] is False
    body = client.get("/api/search?all=maybe").get_json()
    assert body["param"] == "all" and body["message"] == "all: must be 1 or 0 (or true/false, yes/no, on/off)"
    assert cli(["--data", str(seeds_data), "search", "--all", "--json"]) == 0
    assert '"collapse": false' in capsys.readouterr().out
