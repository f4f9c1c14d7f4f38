"""The web server's widget routes without a browser or Rasa: the configuration the widget fetches,
CORS for pages on other origins, static files with caching and gzip, 404s, and the size budget."""

from __future__ import annotations

import gzip
import json
import re
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from e2e_helpers import free_port
from vraagbaak.channels.web.origins import OriginPolicy
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.channels.widget import FONT_URL, UI_TEXTS
from vraagbaak.languages import LANGUAGES, NATIVE_NAMES
from vraagbaak.settings import PROJECT_ROOT, Settings

WIDGET_JS = PROJECT_ROOT / "vraagbaak" / "channels" / "static" / "widget.js"
#: The widget must stay small for cheap phones on slow connections.
GZIP_BUDGET_BYTES = 25 * 1024
SITE = "https://www.gemeente.example"


def serve(**changes) -> tuple[str, object]:
    settings = replace(Settings(), web_port=free_port(), rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2,
                       **changes)
    server = BackgroundServer(settings)
    return f"http://127.0.0.1:{settings.web_port}", server


@pytest.fixture()
def web():
    url, server = serve()
    yield url
    server.shutdown()


@pytest.fixture()
def strict_web():
    """A server that only lets one municipality site embed the widget."""
    url, server = serve(allowed_origins=f"{SITE}, http://localhost:3000/")
    yield url
    server.shutdown()


def request(url: str, method: str = "GET", body: bytes | None = None, **headers: str):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def message(text: str = "hallo") -> bytes:
    return json.dumps({"sender": "widget-test", "message": text, "municipality": "haarlem"}).encode()


# --- the configuration ----------------------------------------------------------------------------
def test_widget_config_has_labels_languages_municipalities_and_font(web: str) -> None:
    status, headers, body = request(web + "/api/widget-config")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    config = json.loads(body)
    assert [(l["code"], l["name"]) for l in config["languages"]] == [(c, NATIVE_NAMES[c]) for c in LANGUAGES]
    assert {l["code"]: l["dir"] for l in config["languages"]} == {"nl": "ltr", "en": "ltr", "ar": "rtl", "ti": "ltr"}
    haarlem = next(m for m in config["municipalities"] if m["code"] == "haarlem")
    assert haarlem["name"] == "Haarlem" and haarlem["phone"] == "14 023"
    assert set(config["texts"]) == set(LANGUAGES)
    for lang, labels in config["texts"].items():
        assert set(labels) == set(UI_TEXTS) and all(labels.values()), lang
    assert config["texts"]["nl"]["newConversation"] == "Nieuw gesprek"
    assert re.search("[\u0600-\u06ff]", config["texts"]["ar"]["send"])
    assert re.search("[\u1200-\u137f]", config["texts"]["ti"]["send"])
    assert "{phone}" in config["texts"]["ar"]["call"]  # the widget fills the placeholders
    assert config["font"] == FONT_URL


def test_every_label_the_widget_uses_is_served() -> None:
    used = set(re.findall(r'\bt\("(\w+)"', WIDGET_JS.read_text(encoding="utf-8")))
    assert used and used <= set(UI_TEXTS), used - set(UI_TEXTS)


def test_config_revalidates_with_its_etag(web: str) -> None:
    status, headers, _ = request(web + "/api/widget-config")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    status, _, body = request(web + "/api/widget-config", **{"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


# --- CORS -------------------------------------------------------------------------------------------
def test_preflight_from_any_site_by_default(web: str) -> None:
    status, headers, _ = request(web + "/api/messages", "OPTIONS", Origin=SITE,
                                 **{"Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "content-type"})
    assert status == 200  # Starlette's CORS middleware answers preflights
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()


def test_messages_and_config_answer_a_page_on_another_site(web: str) -> None:
    status, headers, body = request(web + "/api/messages", "POST", message(), Origin=SITE,
                                    **{"Content-Type": "application/json"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body)[0]["custom"]["vraagbaak"] == "unavailable"  # no Rasa behind this server
    status, headers, _ = request(web + "/api/widget-config", Origin=SITE)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"


def test_allowed_origins_are_echoed(strict_web: str) -> None:
    status, headers, _ = request(strict_web + "/api/widget-config", "OPTIONS", Origin="http://localhost:3000",
                                 **{"Access-Control-Request-Method": "GET"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert headers["Vary"].startswith("Origin")
    status, headers, _ = request(strict_web + "/api/messages", "POST", message(), Origin=SITE,
                                 **{"Content-Type": "application/json"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == SITE


def test_other_sites_are_refused(strict_web: str) -> None:
    evil = "https://evil.example"
    status, headers, _ = request(strict_web + "/api/messages", "OPTIONS", Origin=evil,
                                 **{"Access-Control-Request-Method": "POST"})
    assert status == 400 and "Access-Control-Allow-Origin" not in headers  # Starlette's "Disallowed CORS origin"
    # Also a "simple" form post, which a browser sends without asking first.
    status, headers, _ = request(strict_web + "/api/messages", "POST", message(), Origin=evil,
                                 **{"Content-Type": "text/plain"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    status, _, _ = request(strict_web + "/api/widget-config", Origin=evil)
    assert status == 403


def test_the_servers_own_pages_and_tools_without_origin_are_served(strict_web: str) -> None:
    own = strict_web  # the demo page at / posts with Origin: its own address
    status, headers, _ = request(strict_web + "/api/messages", "POST", message(), Origin=own,
                                 **{"Content-Type": "application/json"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, _, _ = request(strict_web + "/api/messages", "POST", message(), **{"Content-Type": "application/json"})
    assert status == 200


def test_origin_policy() -> None:
    policy = OriginPolicy(("https://a.example",))
    assert policy.allows("https://a.example/", "vraagbaak.example")
    assert not policy.allows("https://a.example.evil", "vraagbaak.example")
    assert not policy.allows("http://a.example", "vraagbaak.example")  # another scheme: another origin
    assert policy.allows("http://vraagbaak.example:8080", "vraagbaak.example:8080")
    assert policy.allows(None, "vraagbaak.example")
    assert not policy.allows("https://b.example", "x")


def test_allowed_origins_setting_is_checked() -> None:
    settings = Settings.from_env({"VRAAGBAAK_ALLOWED_ORIGINS": "https://www.denhaag.nl, https://haarlem.nl/"})
    assert settings.origins == ("https://www.denhaag.nl", "https://haarlem.nl")
    assert Settings().origins == ("*",)
    with pytest.raises(ValueError, match="VRAAGBAAK_ALLOWED_ORIGINS"):
        Settings.from_env({"VRAAGBAAK_ALLOWED_ORIGINS": "www.denhaag.nl"})


# --- static files -------------------------------------------------------------------------------------
def test_widget_script_is_served_gzipped_and_cacheable(web: str) -> None:
    status, headers, body = request(web + "/widget.js", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(body) == WIDGET_JS.read_bytes()
    status, _, body = request(web + "/widget.js", **{"If-None-Match": headers["ETag"]})
    assert status == 304
    status, headers, body = request(web + "/widget.js")
    assert status == 200 and "Content-Encoding" not in headers and body == WIDGET_JS.read_bytes()


def test_font_is_served_to_other_sites(web: str) -> None:
    status, headers, body = request(web + FONT_URL, Origin=SITE)
    assert status == 200 and headers["Content-Type"] == "font/woff2"
    assert body[:4] == b"wOF2" and len(body) > 50_000
    assert headers["Access-Control-Allow-Origin"] == "*"  # fonts are fetched in CORS mode
    assert "max-age" in headers["Cache-Control"]


def test_missing_font_is_a_404_and_left_out_of_the_config(tmp_path: Path) -> None:
    url, server = serve(widget_font=tmp_path / "nothing.woff2")
    try:
        assert request(url + FONT_URL)[0] == 404
        assert json.loads(request(url + "/api/widget-config")[2])["font"] is None
    finally:
        server.shutdown()


@pytest.mark.parametrize("method, path", [("GET", "/nope"), ("GET", "/widget/fonts/other.woff2"),
                                          ("GET", "/static/widget.js"), ("POST", "/api/other"),
                                          ("GET", "/api/message"), ("PUT", "/nope")])
def test_unknown_routes_are_404(web: str, method: str, path: str) -> None:
    status, _, body = request(web + path, method, b"{}" if method in ("POST", "PUT") else None)
    assert status == 404 and json.loads(body) == {"error": "not found"}


@pytest.mark.parametrize("method, path", [("OPTIONS", "/widget.js"), ("PUT", "/api/messages"),
                                          ("POST", "/widget.js"), ("DELETE", "/api/forget")])
def test_known_routes_refuse_other_methods(web: str, method: str, path: str) -> None:
    status, _, body = request(web + path, method, b"{}" if method in ("POST", "PUT") else None)
    assert status == 405 and json.loads(body) == {"error": "not allowed"}


def test_demo_page_takes_known_variants_from_the_address(web: str) -> None:
    page = request(web + "/?municipality=haarlem&lang=ar")[2].decode()
    assert 'data-municipality="haarlem" data-lang="ar"' in page and "Gemeente Voorbeeld" in page
    page = request(web + "/?municipality=%22%3E%3Cscript%3Ex&lang=xx")[2].decode()
    assert 'data-municipality="den-haag" data-lang="auto"' in page and "<script>x" not in page
    assert 'data-municipality="" data-lang="auto"' in request(web + "/?municipality=")[2].decode()


# --- the widget's source ----------------------------------------------------------------------------------
def test_widget_stays_small() -> None:
    size = len(gzip.compress(WIDGET_JS.read_bytes(), compresslevel=9))
    print(f"widget.js: {WIDGET_JS.stat().st_size} bytes, {size} bytes gzipped")
    assert size < GZIP_BUDGET_BYTES


def test_widget_never_parses_html_or_code() -> None:
    source = WIDGET_JS.read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "createContextualFragment", "srcdoc"):
        assert sink not in source, sink
