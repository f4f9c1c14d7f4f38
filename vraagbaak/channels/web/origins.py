"""Which web pages may call the API: the widget runs on a municipality's site, another origin.

The API uses no cookies or other credentials, so CORS here only decides which sites may embed
the widget (``VRAAGBAAK_ALLOWED_ORIGINS``). Starlette's CORS middleware answers preflights and
adds the headers; this module refuses a request from a page that is not allowed outright (403),
not only hides the answer from the page, so that another site cannot use the server as its own
chatbot even with a form post that needs no preflight.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class OriginPolicy:
    origins: tuple[str, ...]

    def allows(self, origin: str | None, host: str | None) -> bool:
        """May a request with this ``Origin`` header, sent to this ``Host``, use the API?
        No Origin (curl, the tests, same-origin GETs) and the server's own origin always may."""
        if not origin:
            return True
        if "*" in self.origins or origin.rstrip("/") in self.origins:
            return True
        return same_origin(origin, host)


def same_origin(origin: str, host: str | None) -> bool:
    """True when the page's origin is this server itself (the demo page at /)."""
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc.lower() == (host or "").lower()
