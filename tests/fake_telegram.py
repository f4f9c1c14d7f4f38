"""A fake Telegram Bot API on loopback, for running the real bridge (python-telegram-bot and all)
without Telegram.

It serves ``/bot<token>/<method>`` as the Bot API does: queued updates through long polling
(``getUpdates``), and ``sendMessage``, ``answerCallbackQuery`` and the rest answered like
Telegram answers them. Every call is recorded, so a test asserts on exactly what the bot sent
(text, parse mode, keyboard). A call can be made to fail once, e.g. with a 429.

Supergroups with forum topics, as the volunteers' desk uses them: ``createForumTopic`` answers
with a new ``message_thread_id``, ``editForumTopic`` and ``closeForumTopic`` change the topic
(:attr:`FakeTelegram.topics`), ``deleteForumTopic`` removes it, ``sendMessage`` with a ``message_thread_id`` posts into the topic,
and :meth:`FakeTelegram.group_message` queues a member's message in a group or topic. A negative
chat id is a supergroup; a positive one is a private chat, as before.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456789:" + "A" * 35
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Vraagbaak", "username": "vraagbaak_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
#: The longest a getUpdates call is held open, whatever timeout the bot asks for: keeps shutdowns quick.
LONG_POLL_CAP_S = 0.5
TOO_MANY_REQUESTS = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                     "parameters": {"retry_after": 1}}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int
    result: Any = None


@dataclass
class FakeTelegram:
    """Start with :meth:`start`; ``api_url`` is what the bridge's base_url must be."""

    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    #: getUpdates calls so far (not in ``calls``: there are many and they say nothing).
    polls: int = 0
    #: Forum topics made with createForumTopic: (chat id, thread id) -> {"name", "closed"}.
    topics: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    # --- the server ----------------------------------------------------------------------------
    def start(self) -> "FakeTelegram":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                self._reply(*fake.handle(self.path, self.headers.get("Content-Type") or "", body))

            do_GET = do_POST  # noqa: N815

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up waiting (it is shutting down): as Telegram, carry on

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="fake-telegram", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    @staticmethod
    def _params(content_type: str, body: str) -> dict[str, Any]:
        if "json" in content_type:
            return json.loads(body or "{}")
        params: dict[str, Any] = {}
        for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
            value = values[-1]
            # python-telegram-bot sends form fields; objects (keyboards, options) as JSON.
            params[key] = json.loads(value) if value[:1] in "{[" else value
        return params

    def handle(self, path: str, content_type: str, body: str) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{TOKEN}/"
        if not path.startswith(prefix):  # as Telegram answers a token it does not know
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix):].split("?")[0]
        params = self._params(content_type, body)
        with self._changed:
            queue = self.failures.get(method)
            failure = queue.pop(0) if queue else None
        status, payload = failure if failure else (200, {"ok": True, "result": self._result(method, params)})
        with self._changed:
            self.polls += method == "getUpdates"
            self._changed.notify_all()
        if method != "getUpdates":
            with self._changed:
                self.calls.append(Call(method, params, time.monotonic(), status, payload.get("result")))
                self._changed.notify_all()
        return status, payload

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._poll(int(params.get("offset") or 0), float(params.get("timeout") or 0))
        if method == "sendMessage":
            message = {"message_id": next(self._ids), "date": int(time.time()), "from": BOT_USER,
                       "chat": self.chat(int(params["chat_id"])), "text": params.get("text", "")}
            if isinstance(params.get("reply_markup"), dict):
                message["reply_markup"] = params["reply_markup"]
            if params.get("message_thread_id") not in (None, ""):
                message.update(message_thread_id=int(params["message_thread_id"]), is_topic_message=True)
            return message
        if method in ("createForumTopic", "editForumTopic", "closeForumTopic", "reopenForumTopic", "deleteForumTopic"):
            return self._topic(method, params)
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # sendChatAction, answerCallbackQuery, setMyCommands, deleteWebhook, ...

    def _topic(self, method: str, params: dict[str, Any]) -> Any:
        """Forum topics as Telegram keeps them (every change also stays in ``calls``)."""
        chat_id = int(params["chat_id"])
        with self._changed:
            if method == "createForumTopic":
                thread_id = next(self._ids)  # Telegram: the id of the topic's first (service) message
                self.topics[(chat_id, thread_id)] = {"name": params["name"], "closed": False}
                return {"message_thread_id": thread_id, "name": params["name"], "icon_color": 7322096}
            if method == "deleteForumTopic":
                del self.topics[(chat_id, int(params["message_thread_id"]))]
                return True
            topic = self.topics[(chat_id, int(params["message_thread_id"]))]
            if method == "editForumTopic" and params.get("name"):
                topic["name"] = params["name"]
            topic["closed"] = {"closeForumTopic": True, "reopenForumTopic": False}.get(method, topic["closed"])
            return True

    def _poll(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + min(timeout, LONG_POLL_CAP_S)
        with self._changed:
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return ready
                self._changed.wait(remaining)

    # --- what tests do -------------------------------------------------------------------------
    def fail_next(self, method: str, status: int = 429, payload: dict[str, Any] | None = None) -> None:
        """Answer the next call of ``method`` with an error (default: 429, retry after 1 s)."""
        with self._changed:
            self.failures.setdefault(method, []).append((status, payload or TOO_MANY_REQUESTS))

    def push(self, update: dict[str, Any]) -> int:
        with self._changed:
            update_id = next(self._ids)
            self.updates.append({"update_id": update_id, **update})
            self._changed.notify_all()
        return update_id

    @staticmethod
    def user(chat_id: int, language_code: str | None) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "Test"}
        if language_code:
            user["language_code"] = language_code
        return user

    @staticmethod
    def chat(chat_id: int) -> dict[str, Any]:
        """A private chat for a positive id; a supergroup with topics (a forum) for a negative one."""
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "Vrijwilligers", "is_forum": True}
        return {"id": chat_id, "type": "private", "first_name": "Test"}

    def group_message(self, chat_id: int, user_id: int, thread_id: int | None = None, first_name: str = "Member",
                      username: str | None = None, **content: Any) -> int:
        """Queue a message of member ``user_id`` in supergroup ``chat_id``: in forum topic
        ``thread_id``, or in its General topic without one. ``content``: ``text=...``, ``photo=[...]``."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        message = {"message_id": next(self._ids), "date": int(time.time()), "chat": self.chat(chat_id),
                   "from": user, **content}
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        text = content.get("text", "")
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"message": message})

    def message(self, chat_id: int, language_code: str | None = "nl", chat_type: str = "private",
                **content: Any) -> int:
        """Queue a message from a user; ``content`` is e.g. ``text="..."`` or ``photo=[...]``."""
        message = {"message_id": next(self._ids), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": chat_type, "first_name": "Test"},
                   "from": self.user(chat_id, language_code), **content}
        text = content.get("text", "")
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"message": message})

    def text(self, chat_id: int, text: str, language_code: str | None = "nl") -> int:
        return self.message(chat_id, language_code, text=text)

    def photo(self, chat_id: int, language_code: str | None = "nl") -> int:
        return self.message(chat_id, language_code, photo=[
            {"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}])

    def voice(self, chat_id: int, language_code: str | None = "nl") -> int:
        return self.message(chat_id, language_code, voice={"file_id": "voice-1", "file_unique_id": "v1", "duration": 2})

    def sticker(self, chat_id: int, language_code: str | None = "nl") -> int:
        return self.message(chat_id, language_code, sticker={
            "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
            "is_animated": False, "is_video": False})

    def press(self, chat_id: int, sent: Call, data: str, language_code: str | None = "nl") -> int:
        """Queue a press on a button of a message the bot sent (found in ``calls``)."""
        message = {"message_id": sent.result["message_id"], "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                   "text": sent.params.get("text", ""), "reply_markup": sent.params.get("reply_markup")}
        return self.push({"callback_query": {"id": f"cq-{next(self._ids)}", "from": self.user(chat_id, language_code),
                                             "chat_instance": f"ci-{chat_id}", "data": data, "message": message}})

    # --- what tests check ----------------------------------------------------------------------
    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 20.0) -> Any:
        """Wait until ``predicate(calls)`` is truthy and return its value; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate(list(self.calls))
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    summary = [(c.method, c.params.get("chat_id"), str(c.params.get("text", ""))[:60]) for c in self.calls]
                    raise AssertionError(f"timed out after {timeout} s; calls so far: {summary}")
                self._changed.wait(remaining)

    def in_topic(self, chat_id: int, thread_id: int | None) -> list[Call]:
        """Messages the bot sent (successfully) into a topic; ``None``: the group's General topic."""
        return [c for c in self.calls if c.method == "sendMessage" and c.status == 200
                and str(c.params.get("chat_id")) == str(chat_id)
                and (int(c.params["message_thread_id"]) if c.params.get("message_thread_id") not in (None, "")
                     else None) == thread_id]

    def sent(self, chat_id: int, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method and str(c.params.get("chat_id")) == str(chat_id)]

    def replies(self, chat_id: int, count: int, timeout: float = 20.0) -> list[Call]:
        """Wait until the bot has sent ``count`` messages (successfully) to ``chat_id``."""
        return self.wait_for(lambda calls: (ok := [c for c in calls if c.method == "sendMessage" and c.status == 200
                                                   and str(c.params.get("chat_id")) == str(chat_id)])
                             and len(ok) >= count and ok, timeout)
