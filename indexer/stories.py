"""Story ids: copies of one story (syndicated wire copy) share a story id."""

from __future__ import annotations

import hashlib

from indexer.analysis import terms
from indexer.article import Article


class StoryFinder:
    """Gives each article the story id of an earlier copy of the same text, or a new one."""

    def __init__(self) -> None:
        self._by_signature: dict[bytes, str] = {}

    def remember(self, story: str, signature: bytes) -> None:
        if signature:
            self._by_signature.setdefault(signature, story)

    def assign(self, article: Article) -> tuple[str, bytes]:
        signature = _fingerprint(article.body or article.title)
        story = self._by_signature.setdefault(signature, article.id)
        return story, signature


def _fingerprint(text: str) -> bytes:
    return hashlib.blake2b(" ".join(terms(text)).encode(), digest_size=12).digest()
