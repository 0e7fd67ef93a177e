"""The .html reader: a saved article page, reduced to its main text by trafilatura.

Navigation, share buttons, comment sections and footers are left out by the
extraction; title, site name, author, date and canonical URL come from the
page's metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.article import Article, FileRead, Problem
from indexer.ingest.decoding import read_text
from indexer.ingest.metadata import derive_title, normalise_source, parse_date, source_from_url

# Dates from the page's own metadata and markup only, as published (not modified).
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def read_html_page(path: Path, rel: str) -> FileRead:
    """Read one saved news page."""
    import trafilatura  # slow to import: only when a page is read

    html, note = read_text(path, html=True)
    read = FileRead(notes=[note] if note else [])
    doc: Any = trafilatura.bare_extraction(  # (a trafilatura Document: without as_dict, never a dict)
        html, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
    )
    text = (doc.text or "").strip() if doc else ""
    if not doc or not text:
        read.problems.append(Problem(rel, "no article text found in the page"))
        return read
    body = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    url = doc.url or None
    source = (normalise_source(doc.sitename) if doc.sitename else None) or (
        source_from_url(url) if url else None
    )
    read.articles.append(
        Article(
            id=rel.rpartition(".")[0],
            title=" ".join((doc.title or "").split()) or derive_title(body),
            body=body,
            source=source[0] if source else None,
            source_name=source[1] if source else None,
            url=url,
            published=parse_date(doc.date) if doc.date else None,
            authors=tuple(
                dict.fromkeys(name.strip() for name in (doc.author or "").split(";") if name.strip())
            ),
            origin=rel,
        )
    )
    return read
