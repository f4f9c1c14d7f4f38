"""Custom Rasa NLU components of Vraagbaak (config.yml names them as components.<module>.<class>)."""
