"""A fake Telegram Bot API on 127.0.0.1 for the real python-telegram-bot Application.

It answers the methods kisanbot calls, long-polls getUpdates with Telegram's offset semantics
(an update is confirmed once a later call passes a higher offset), records every call, and can
inject faults: 429 with retry_after, 5xx, 400, and a stall after recording (a read timeout after
Telegram accepted the message)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from tests_support import LoopbackServer, reply_json

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "kisanbot", "username": "kisan_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    #: False when the fake answered with an error (the call did not take effect).
    ok: bool = True


@dataclass
class Fault:
    status: int = 200
    description: str = ""
    retry_after: int | None = None
    #: Seconds to wait before answering; with `record`, the call takes effect first (it "arrived").
    stall: float = 0.0
    record: bool = False


@dataclass
class FakeBotApi:
    token: str = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
    calls: list[Call] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1000))
    _message_ids: Any = field(default_factory=lambda: itertools.count(1))
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _server: LoopbackServer | None = None

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        self._server = LoopbackServer.start(self._handle)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"{self._server.origin}/bot"

    # --- what a farmer does ---------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        with self._cond:
            update_id = int(update.setdefault("update_id", next(self._ids)))
            self._updates.append(update)
            self._cond.notify_all()
        return update_id

    def _message(self, user_id: int, language_code: str | None, **content: Any) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"Farmer{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
            "from": user,
            **content,
        }

    def send_text(self, user_id: int, text: str, language_code: str | None = "en") -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push({"message": self._message(user_id, language_code, **content)})

    def send_content(self, user_id: int, language_code: str | None = "en", **content: Any) -> int:
        return self.push({"message": self._message(user_id, language_code, **content)})

    def press(self, user_id: int, data: str, language_code: str | None = "en") -> int:
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": f"Farmer{user_id}",
            "language_code": language_code,
        }
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": str(next(self._ids)),
            "from": user,
            "chat_instance": "1",
            "data": data,
            "message": message,
        }
        return self.push({"callback_query": query})

    # --- faults ----------------------------------------------------------------------------------

    def fail(self, method: str, *faults: Fault) -> None:
        """The next calls of `method` meet these faults, in order; later calls succeed."""
        with self._cond:
            self._faults.setdefault(method, []).extend(faults)

    # --- what the tests look at -----------------------------------------------------------------

    def delivered(self, chat_id: int | None = None) -> list[Call]:
        """sendMessage calls that took effect (the farmer would see them), in order."""
        with self._cond:
            return [
                c
                for c in self.calls
                if c.method == "sendMessage"
                and c.ok
                and (chat_id is None or int(c.params["chat_id"]) == chat_id)
            ]

    def texts(self, chat_id: int) -> list[str]:
        return [str(c.params["text"]) for c in self.delivered(chat_id)]

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
            time.sleep(0.02)

    def pending_updates(self) -> int:
        with self._cond:
            return len(self._updates)

    # --- the server side -------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method = request.path[len(prefix) :]
        params = self._params(request)
        if method == "getUpdates":
            self._reply(request, 200, {"ok": True, "result": self._get_updates(params)})
            return
        with self._cond:
            queue = self._faults.get(method) or []
            fault = queue.pop(0) if queue else None
        if fault is not None and fault.status != 200 and not fault.record:
            with self._cond:
                self.calls.append(Call(method, params, time.monotonic(), ok=False))
            body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            time.sleep(fault.stall)
            self._reply(request, fault.status, body)
            return
        with self._cond:
            self.calls.append(Call(method, params, time.monotonic()))
        result = self._result(method, params)
        if fault is not None:
            time.sleep(fault.stall)  # the call took effect; the answer comes too late
        self._reply(request, 200, {"ok": True, "result": result})

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        with self._cond:
            self.calls.append(Call("getUpdates", params, time.monotonic()))
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._cond.wait_for(lambda: bool(self._updates), timeout=min(timeout, 2.0))
            return list(self._updates[:100])

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        return True

    @staticmethod
    def _params(request: BaseHTTPRequestHandler) -> dict[str, Any]:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if not raw:
            return {}
        if "json" in (request.headers.get("Content-Type") or ""):
            loaded: dict[str, Any] = json.loads(raw)
            return loaded
        params: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        for key in ("reply_markup", "commands", "scope", "allowed_updates"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        reply_json(request, status, json.dumps(body).encode())
