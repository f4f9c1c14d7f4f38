"""Rasa's Redis lock store, with every change of a conversation's lock made atomic.

Rasa 3.6's ``RedisLockStore`` reads a conversation's lock from Redis, changes it in Python and
writes it back. Two Rasa replicas that receive messages of one conversation at the same moment
(a double tap on send, two gateways) both read "no lock", both issue ticket 0 and both handle
the conversation at once; the SQL tracker store then keeps one turn and loses the other's user
message and replies (tests/cluster/ shows it). Here each read-change-write runs in a Redis
transaction (WATCH/MULTI/EXEC), tried again when another replica changed the lock meanwhile, and
a finished ticket is removed and an empty lock deleted in the same step.

A ticket is also a lease: while its message waits or is handled, the replica renews it every
third of its lifetime. In Rasa's store a ticket simply expires after TICKET_LOCK_LIFETIME (60 s):
a message handled for longer (a slow action server) loses the lock while it works, and a message
waiting behind a replica that died expires together with the dead one's ticket, after which it
waits for ever (its own ticket is gone). Renewed, a live replica keeps its tickets, and the lock of
a replica that died (the out-of-memory killer) is free TICKET_LOCK_LIFETIME seconds after its
death: set it short (10 s) with this store.

In endpoints.yml, instead of ``type: redis`` (same other keys)::

    lock_store:
      type: vraagbaak.runtime.lock_store.AtomicRedisLockStore
      url: redis
      port: 6379
      db: 1

Imports only Rasa, redis and the standard library: it runs in Rasa's environment.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, Optional, Text, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
#: What a change returns: its result, and the lock to store (None: delete the lock).
Change = Callable[[Optional[TicketLock]], "tuple[T, Optional[TicketLock]]"]


class AtomicRedisLockStore(RedisLockStore):
    """A ``RedisLockStore`` (same settings) that two replicas cannot both lock at once."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by its module path with endpoint_config=...
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Change) -> T:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    result, lock = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed this lock in between: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> tuple[int, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.create_task(self._keep(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep(self, conversation_id: Text, ticket: int, lifetime: float) -> None:
        """Renew the ticket while its message waits or is handled."""
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self._renew(conversation_id, ticket, lifetime)
            except redis.RedisError:
                pass  # tried again at the next turn; meanwhile the ticket lives on

    def _renew(self, conversation_id: Text, ticket_number: int, lifetime: float) -> None:
        def renew(lock: Optional[TicketLock]) -> tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_expired_tickets()
                for ticket in lock.tickets:
                    if ticket.number == ticket_number:
                        ticket.expires = max(ticket.expires, time.time() + lifetime)
            return None, lock

        self._change(conversation_id, renew)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's loop, which fails instead of waiting for ever once its own ticket is gone."""
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or all(t.number != ticket for t in lock.tickets):
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the ticket, and the lock when nobody else holds a ticket: in one step, so a
        ticket issued meanwhile by another replica is never deleted with it."""

        def clean(lock: Optional[TicketLock]) -> tuple[None, Optional[TicketLock]]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return None, lock if lock.is_someone_waiting() else None

        self._change(conversation_id, clean)
