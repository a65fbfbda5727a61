"""One generation worker behind a bounded queue that is fair between farmers.

The CPU runs one generation at a time (onnxruntime already uses every core), so questions wait. A
farmer with many questions must not starve the others: the worker serves farmers round-robin, one
question each per round. Doors can ask a ticket's place in line, and cancel it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.engines.base import GenerationControl

log = logging.getLogger(__name__)

T = TypeVar("T")


class QueueFull(Exception):
    """Too many questions wait already; the farmer should try again later."""


class FarmerBusy(Exception):
    """This farmer already has the most questions waiting that one farmer may have."""


class Cancelled(Exception):
    """The ticket was cancelled before it ran."""


@dataclass(eq=False)
class Ticket(Generic[T]):
    farmer: str
    job: Callable[[GenerationControl], T]
    timeout_s: float | None
    control: GenerationControl = field(default_factory=GenerationControl)
    _done: threading.Event = field(default_factory=threading.Event)
    _result: T | None = None
    _error: BaseException | None = None
    _queue: GenerationQueue | None = None

    def wait(self, timeout: float | None = None) -> T:
        """The job's result; raises what the job raised, or Cancelled."""
        if not self._done.wait(timeout):
            raise TimeoutError("the generation did not finish in time")
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]

    def position(self) -> int:
        """0 while running or done; otherwise the place in line (1 = next)."""
        return self._queue.position(self) if self._queue else 0

    def cancel(self) -> None:
        if self._queue:
            self._queue.cancel(self)

    def _finish(self, result: T | None = None, error: BaseException | None = None) -> None:
        self._result, self._error = result, error
        self._done.set()


class GenerationQueue:
    """`queue.submit("farmer-7", lambda control: engine.generate(request, None, control)).wait()`."""

    def __init__(
        self, max_waiting: int = 32, max_per_farmer: int = 2, timeout_s: float | None = None
    ) -> None:
        self.max_waiting = max_waiting
        self.max_per_farmer = max_per_farmer
        self.timeout_s = timeout_s
        self._lock = threading.Condition()
        self._waiting: dict[str, deque[Ticket[object]]] = {}
        self._turns: deque[str] = deque()  # farmers with waiting tickets, in serving order
        self._running: Ticket[object] | None = None
        self._closed = False
        self._worker = threading.Thread(target=self._work, name="generation-worker", daemon=True)
        self._worker.start()

    def submit(self, farmer: str, job: Callable[[GenerationControl], T]) -> Ticket[T]:
        ticket: Ticket[T] = Ticket(farmer, job, self.timeout_s)
        with self._lock:
            if self._closed:
                raise QueueFull("the generation queue is closed")
            mine = self._waiting.get(farmer)
            running_mine = self._running is not None and self._running.farmer == farmer
            if mine is not None and len(mine) + running_mine >= self.max_per_farmer:
                raise FarmerBusy(farmer)
            if self.waiting() >= self.max_waiting:
                raise QueueFull(f"{self.max_waiting} questions are waiting")
            if mine is None:
                mine = self._waiting[farmer] = deque()
                self._turns.append(farmer)
            ticket._queue = self
            mine.append(ticket)  # type: ignore[arg-type]
            self._lock.notify()
        return ticket

    def waiting(self) -> int:
        return sum(len(tickets) for tickets in self._waiting.values())

    def position(self, ticket: Ticket[T]) -> int:
        with self._lock:
            for place, queued in enumerate(self._serving_order(), start=1):
                if queued is ticket:
                    return place
        return 0

    def cancel(self, ticket: Ticket[T]) -> None:
        with self._lock:
            mine = self._waiting.get(ticket.farmer)
            if mine is not None and ticket in mine:
                mine.remove(ticket)  # type: ignore[arg-type]
                if not mine:
                    del self._waiting[ticket.farmer]
                    self._turns.remove(ticket.farmer)
                ticket._finish(error=Cancelled())
                return
        ticket.control.stop("cancelled")  # running: the generation loop stops at its next token

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for tickets in self._waiting.values():
                for ticket in tickets:
                    ticket._finish(error=Cancelled())
            self._waiting.clear()
            self._turns.clear()
            self._lock.notify_all()
        self._worker.join(timeout=5)

    def _serving_order(self) -> list[Ticket[object]]:
        """Waiting tickets in the order the worker will run them: one per farmer per round."""
        order: list[Ticket[object]] = []
        depth = 0
        while True:
            row = [self._waiting[f][depth] for f in self._turns if len(self._waiting[f]) > depth]
            if not row:
                return order
            order += row
            depth += 1

    def _next(self) -> Ticket[object] | None:
        with self._lock:
            while not self._turns and not self._closed:
                self._lock.wait()
            if self._closed:
                return None
            farmer = self._turns.popleft()
            mine = self._waiting[farmer]
            ticket = mine.popleft()
            if mine:
                self._turns.append(farmer)  # the farmer's next question waits for the next round
            else:
                del self._waiting[farmer]
            self._running = ticket
            return ticket

    def _work(self) -> None:
        while (ticket := self._next()) is not None:
            if ticket.timeout_s is not None:
                ticket.control.deadline = time.monotonic() + ticket.timeout_s
            try:
                ticket._finish(result=ticket.job(ticket.control))
            except BaseException as error:  # the worker must survive any job; the door sees the error
                log.exception("generation failed")
                ticket._finish(error=error)
            finally:
                with self._lock:
                    self._running = None
