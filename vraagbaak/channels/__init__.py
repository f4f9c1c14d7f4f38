"""How newcomers reach the assistant: the web gateway (chat page, widget) and, later, Telegram."""
