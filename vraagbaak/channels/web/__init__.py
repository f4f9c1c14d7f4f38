"""The web gateway: serves the chat widget, its demo page and font, relays the widget's messages
to Rasa (:mod:`vraagbaak.channels.rasa_relay`) and pushes what volunteers answer later.

A Starlette application (:mod:`.app`) served by uvicorn (:mod:`.server`). Routes:

=============================  ===========================================================================
``GET /``                      a demo municipality page with the one widget script tag (strict CSP)
``GET /widget.js``             the widget (static/widget.js), revalidated with its ETag
``GET /widget/fonts/…``        the Ge'ez font the widget uses for Tigrinya, cached for a week
``GET /api/widget-config``     labels, languages, municipalities (:mod:`vraagbaak.channels.widget`)
``POST /api/messages``         ``{"sender", "message" | "payload", "lang"?, "municipality"?}`` → Rasa's messages
``GET /api/events?sender=``    server-sent events: messages pushed to this conversation (:mod:`.push`)
``GET /api/messages?sender=``  the same by long polling: ``&after=<id>&wait=<s>`` → ``{"messages": [...]}``
``POST /api/forget``           ``{"sender"}`` → ``{"forgotten": true}``, the conversation deleted
``GET /health/live``           ``{"ok": true}``: this process answers (also ``/health``)
``GET /health/ready``          200 when Rasa and the action server answer, else 503 naming what is down
=============================  ===========================================================================

Limits (:mod:`.limits`) answer a flood, an over-long message or too many streams politely in the
user's language (429, 413). The API answers pages on other origins as ``VRAAGBAAK_ALLOWED_ORIGINS``
allows (:mod:`.origins`).
"""

from vraagbaak.channels.web.app import create_app
from vraagbaak.channels.web.server import BackgroundServer, serve

__all__ = ["BackgroundServer", "create_app", "serve"]
