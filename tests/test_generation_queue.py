"""The generation queue: one worker, fair between farmers, bounded, cancellable, with a time limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from bot.engines.base import GenerationControl
from bot.llm.generation_queue import Cancelled, FarmerBusy, GenerationQueue, QueueFull


@pytest.fixture
def queue() -> Iterator[GenerationQueue]:
    q = GenerationQueue(max_waiting=10, max_per_farmer=3, timeout_s=None)
    yield q
    q.close()


def blocker(release: threading.Event, started: threading.Event | None = None):  # type: ignore[no-untyped-def]
    def job(control: GenerationControl) -> str:
        if started:
            started.set()
        release.wait(5)
        return "blocker"

    return job


def test_farmers_are_served_round_robin(queue: GenerationQueue) -> None:
    release, started = threading.Event(), threading.Event()
    served: list[str] = []
    queue.submit("x", blocker(release, started))
    assert started.wait(5)
    tickets = [
        queue.submit(farmer, lambda control, name=name: served.append(name) or name)  # type: ignore[misc]
        for farmer, name in [("a", "a1"), ("a", "a2"), ("a", "a3"), ("b", "b1"), ("c", "c1")]
    ]
    assert [t.position() for t in tickets] == [1, 4, 5, 2, 3]
    release.set()
    for ticket in tickets:
        ticket.wait(5)
    assert served == ["a1", "b1", "c1", "a2", "a3"]


def test_the_queue_is_bounded_overall_and_per_farmer() -> None:
    queue = GenerationQueue(max_waiting=3, max_per_farmer=2, timeout_s=None)
    release, started = threading.Event(), threading.Event()
    try:
        queue.submit("x", blocker(release, started))
        assert started.wait(5)
        queue.submit("a", blocker(release))
        queue.submit("a", blocker(release))
        with pytest.raises(FarmerBusy):
            queue.submit("a", blocker(release))
        queue.submit("b", blocker(release))
        with pytest.raises(QueueFull):
            queue.submit("c", blocker(release))
    finally:
        release.set()
        queue.close()


def test_a_waiting_ticket_can_be_cancelled(queue: GenerationQueue) -> None:
    release, started = threading.Event(), threading.Event()
    queue.submit("x", blocker(release, started))
    assert started.wait(5)
    waiting = queue.submit("a", lambda control: "never")
    behind = queue.submit("b", lambda control: "b")
    waiting.cancel()
    assert behind.position() == 1
    release.set()
    with pytest.raises(Cancelled):
        waiting.wait(5)
    assert behind.wait(5) == "b"


def test_a_running_generation_stops_when_cancelled_or_past_its_time_limit() -> None:
    queue = GenerationQueue(max_waiting=4, max_per_farmer=2, timeout_s=0.2)

    def generation(control: GenerationControl) -> str:
        for _ in range(500):
            if reason := control.should_stop():
                return reason
            time.sleep(0.01)
        return "finished"

    try:
        assert queue.submit("a", generation).wait(10) == "timeout"
        queue.timeout_s = None
        ticket = queue.submit("a", generation)
        time.sleep(0.1)
        ticket.cancel()
        assert ticket.wait(10) == "cancelled"
    finally:
        queue.close()


def test_a_failing_job_reaches_its_caller_and_the_worker_goes_on(queue: GenerationQueue) -> None:
    def failing(control: GenerationControl) -> str:
        raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="exploded"):
        queue.submit("a", failing).wait(5)
    assert queue.submit("a", lambda control: "fine").wait(5) == "fine"
