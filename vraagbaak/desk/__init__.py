"""One database for what the assistant keeps (the records) and for the volunteers' desk
(tickets, their messages, the outbox of messages waiting for a web widget): a SQLite file under
`make run`, or PostgreSQL shared by several servers (``VRAAGBAAK_DATABASE_URL``).

:mod:`.database` connects, :mod:`.migrations` keeps the tables up to date, and each store has a
module of its own: :mod:`.records`, :mod:`.tickets`, :mod:`.outbox`; :mod:`.forget` deletes
one newcomer's desk rows on request.
"""
