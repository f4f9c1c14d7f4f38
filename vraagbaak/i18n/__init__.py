"""Language-aware text handling: scripts, normalisation and language detection."""
