"""Rasa custom actions: a thin layer from tracker state to :mod:`vraagbaak.assistant` and back."""

from vraagbaak.logs import configure_logging

configure_logging()
