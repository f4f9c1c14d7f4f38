"""Starting and supervising the assistant: Rasa server, action server, web server."""
