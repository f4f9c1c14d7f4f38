"""Vraagbaak: a multilingual help desk for newcomers in Dutch municipalities."""
