"""Where project pages come from, as the stages above the index see it.

:class:`PageSource` is the one question the site's facts pass asks of the
index: pages for these names, each a page or the error that kept it away.
:class:`generator.index.client.IndexClient` answers it over HTTP with its
cache; tests answer it from recorded pages.  Only the adapters (``site/build``
and ``cli/``) construct a client; everything else is handed a source.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Protocol, Union

from generator.index.page import IndexClientError, PageMeta, ProjectPage

__all__ = ["Known", "PageResult", "PageSource"]

#: Told the meta of a page served from a cache, answers whether its JSON can stay unread.
Known = Callable[[PageMeta], bool]
#: What a source gives per name: the page, only its meta (see :class:`PageSource`), or the error.
PageResult = Union[ProjectPage, PageMeta, IndexClientError]


class PageSource(Protocol):
    def fetch_many(self, names: Iterable[str], *, known: Known) -> Mapping[str, PageResult]:
        """Each name's page or error, in the order asked.

        A page whose bytes the source has seen before may be given as its
        :class:`PageMeta` only, when ``known`` accepts that meta: the caller
        holds what it derived from the same bytes.  Any other page is read
        and checked in full.
        """
        ...
