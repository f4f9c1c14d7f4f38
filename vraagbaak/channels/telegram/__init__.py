"""The Telegram channel: a bridge process (`vraagbaak telegram`) between a Telegram bot and Rasa.

- :mod:`.bridge`: the python-telegram-bot application and its handlers.
- :mod:`.formatting`: answers as escaped Telegram HTML, split under the message limit.
- :mod:`.keyboards`: Rasa's buttons as inline keyboards, and button presses back to payloads.
- :mod:`.identity`: the keyed hash that Rasa sees instead of the chat id.
- :mod:`.state`: what the bridge remembers per chat (memory only) and the per-chat locks.
- :mod:`.ratelimit`: flood control per chat.
- :mod:`.retry`: Bot API calls retried on 429 and network errors.
- :mod:`.tracker`: Rasa's conversation store: seeding slots, forgetting a conversation.
- :mod:`.commands`: the command menu.
- :mod:`.logsetup`: log lines without secrets.
"""
