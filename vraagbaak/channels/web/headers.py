"""Security headers on every response, and a Content-Security-Policy for the demo page.

A pure ASGI middleware (no response buffering), so it adds almost nothing per request. The widget
itself runs on the municipality's page under that page's own policy; it injects no inline script
or style (its CSS is a constructed stylesheet), so a strict policy there works too.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: On every response.
COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
#: Paths that pages on other sites load (the widget script and its font): allowed cross-origin.
CROSS_ORIGIN_PATHS = ("/widget.js", "/widget/")


def page_policy(html: str) -> str:
    """The demo page's policy: its own script and inline style (by hash), nothing from elsewhere,
    and it may not be framed."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
                      for style in re.findall(r"<style>(.*?)</style>", html, re.S))
    return ("default-src 'none'; script-src 'self'; connect-src 'self'; font-src 'self'; "
            f"img-src 'self' data:; style-src 'self' {hashes}; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        corp = b"cross-origin" if scope["path"].startswith(CROSS_ORIGIN_PATHS) else b"same-origin"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in COMMON if n not in present]
                if b"cross-origin-resource-policy" not in present:
                    extra.append((b"cross-origin-resource-policy", corp))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
