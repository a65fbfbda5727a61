"""Generation in a worker process, so the model never stalls the doors' event loop.

Measured here (benchmarks/model_speed.py, "stall"): onnxruntime-genai holds Python's GIL while it
computes, so a generation in a thread froze an asyncio loop for the whole prefill (33 s for a
500-token prompt) and about 130 ms per decoded token. In a separate process the loop runs freely.
The parent keeps the Engine interface; the child owns the model and streams text pieces back.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path

from bot.engines.base import Generation, GenerationControl, GenerationRequest, OnText
from bot.llm.model_folder import ModelError

log = logging.getLogger(__name__)

#: How often the parent looks for a stop request while waiting for pieces.
_POLL_S = 0.05
_START_TIMEOUT_S = 600.0


class ProcessEngine:
    """`ProcessEngine(Path("models/phi3"), threads=2)`: a Phi3Engine living in its own process."""

    name = "phi3"

    def __init__(
        self, model_dir: Path, threads: int, prompt_budget: int = 800, reply_budget: int = 320
    ) -> None:
        self._args = (str(model_dir), threads, prompt_budget, reply_budget)
        self.threads = threads
        self.prompt_budget = prompt_budget
        self.reply_budget = reply_budget
        self.model_name = ""
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads and locks
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve, args=(child, *self._args), name="kisanbot-model", daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(_START_TIMEOUT_S):
            process.kill()
            raise ModelError(f"{self._args[0]}: the model process did not start in {_START_TIMEOUT_S:.0f} s")
        kind, payload = parent.recv()
        if kind != "ready":
            process.join(5)
            raise ModelError(str(payload))
        self.model_name = str(payload)
        self._process, self._conn = process, parent

    def generate(
        self,
        request: GenerationRequest,
        on_text: OnText | None = None,
        control: GenerationControl | None = None,
    ) -> Generation:
        if self._process is None or not self._process.is_alive():
            log.warning("the model process was gone; starting it again")
            self._start()
        assert self._conn is not None
        self._conn.send(("generate", request))
        stop_sent = False
        while True:
            if control is not None and not stop_sent and (reason := control.should_stop()):
                self._conn.send(("stop", reason))
                stop_sent = True
            if not self._conn.poll(_POLL_S):
                continue
            try:
                kind, payload = self._conn.recv()
            except EOFError as error:
                self._process = None
                raise RuntimeError("the model process died while answering") from error
            if kind == "piece" and on_text:
                on_text(payload)
            elif kind == "done":
                return payload  # type: ignore[no-any-return]
            elif kind == "error":
                raise RuntimeError(f"generation failed in the model process: {payload}")

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            with contextlib.suppress(BrokenPipeError, OSError):
                self._conn.send(("quit", None))
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
        self._process = None


class _ChildControl(GenerationControl):
    """In the child: stops on the parent's request, read between tokens."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self._conn = conn
        self.quit = False

    def should_stop(self) -> str | None:
        while self._conn.poll():
            kind, payload = self._conn.recv()
            if kind == "stop":
                self.stop(str(payload))
            elif kind == "quit":
                self.quit = True
                self.stop("cancelled")
        return super().should_stop()


def _serve(conn: Connection, model_dir: str, threads: int, prompt_budget: int, reply_budget: int) -> None:
    """The child: loads the model once, then answers requests until told to quit."""
    from bot.llm.phi3 import Phi3Engine  # the model runtime lives only in this process

    try:
        engine = Phi3Engine(Path(model_dir), threads, prompt_budget, reply_budget)
    except ModelError as error:
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", engine.model_name))
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if kind == "quit":
            return
        if kind != "generate":
            continue  # a late stop for a generation that already finished
        control = _ChildControl(conn)
        try:
            generation = engine.generate(payload, lambda piece: conn.send(("piece", piece)), control)
            conn.send(("done", generation))
        except Exception as error:  # the parent reports it; the child keeps serving
            conn.send(("error", repr(error)))
        if control.quit:
            return
