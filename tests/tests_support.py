"""What the tests share: paths, a loopback HTTP server for fakes, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.config import PROJECT_ROOT

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 for the tests' fake services.
    The standard backlog of 5 drops connections in a burst; real services take them all."""

    request_queue_size = 256
    daemon_threads = True

    @classmethod
    def start(cls, handle: Callable[[BaseHTTPRequestHandler], None]) -> LoopbackServer:
        """Serves GET and POST by calling `handle(request)` in a thread per request; quiet logs."""

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                handle(self)

            def do_POST(self) -> None:
                handle(self)

            def log_message(self, *_args: object) -> None:
                pass

        server = cls(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def reply_json(request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    """Answers with a JSON body; a client that already gave up (a timeout test) is no error."""
    try:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


def run_kisanbot(
    args: list[str], data_dir: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`kisanbot ARGS` as a real subprocess, with its data in `data_dir`."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8", **(env or {})},
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
