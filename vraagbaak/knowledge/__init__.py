"""The curated Markdown knowledge base: its format, loading, checking and coverage."""
