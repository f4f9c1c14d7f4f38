""""You can also ask a person": the municipality's phone number and website when the user's
municipality is known, else where else to turn. One sentence that the assistant, the gateway's
apology and the volunteers' desk all end with, so it reads the same everywhere."""

from __future__ import annotations

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator
from vraagbaak.knowledge.model import Municipality


def person_offer(t: Translator, place: Municipality | None) -> str:
    if place is None:
        return t(texts.HUMAN_GENERAL)
    return t(texts.HUMAN_WITH_PHONE, municipality=place.name, phone=place.phone, website=place.website)
