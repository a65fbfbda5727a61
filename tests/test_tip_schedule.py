"""The morning-tip schedule on a controllable clock: once per farmer and local day, whatever happens."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_open_meteo import FakeFault, FakeOpenMeteo
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import KNOWLEDGE_DIR

from bot import farmers as farmer_data
from bot.config import Settings
from bot.i18n import Translator
from bot.storage.database import open_database
from bot.storage.models import Farmer, OutboxMessage, TipLog
from bot.weather.schedule import TipSchedule
from bot.weather.service import Weather

TODAY = dt.date(2026, 11, 27)
IST = dt.timedelta(hours=5, minutes=30)


def utc_for_ist(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute)) - IST


class Clock:
    def __init__(self) -> None:
        self.now = utc_for_ist(5, 0)

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class World:
    fake: FakeOpenMeteo
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock
    translator: Translator

    def scheduler(self) -> TipSchedule:
        """A scheduler as a fresh process would build it (its own forecast cache)."""
        return TipSchedule(
            self.sessions, Weather.build(self.settings, self.translator, self.clock), self.settings
        )

    def farmer(self, n: int, lat: float = 21.1, lon: float = 79.1, at: str = "06:30", **kw: object) -> int:
        with self.sessions.begin() as session:
            farmer = Farmer(
                channel="telegram",
                channel_user_id=str(n),
                chat_id=n,
                language=kw.pop("language", "hi"),
                latitude=lat,
                longitude=lon,
                tips_enabled=True,
                tip_time=dt.time.fromisoformat(at),
                **kw,
            )
            session.add(farmer)
            session.flush()
            return farmer.id

    def tips(self) -> list[OutboxMessage]:
        with self.sessions() as session:
            return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "tip")))

    def claims(self) -> list[TipLog]:
        with self.sessions() as session:
            return list(session.scalars(select(TipLog).order_by(TipLog.id)))


@pytest.fixture
def world(data_dir: Path, translator: Translator) -> Iterator[World]:
    fake = FakeOpenMeteo(TODAY).start()
    settings = Settings(
        data_dir=data_dir,
        knowledge_dir=KNOWLEDGE_DIR,
        open_meteo_url=fake.url,
        weather_retries=2,
        weather_backoff_s=0.0,
        tip_grace_s=7200,
        forecast_retry_s=600,
    )
    _engine, sessions = open_database(settings)
    yield World(fake, settings, sessions, Clock(), translator)
    fake.stop()


def test_a_tip_is_queued_once_when_its_time_comes(world: World) -> None:
    farmer = world.farmer(1)
    schedule = world.scheduler()
    world.clock.now = utc_for_ist(6, 29)
    assert schedule.sweep().queued == 0
    world.clock.now = utc_for_ist(6, 31)
    assert schedule.sweep().queued == 1
    world.clock.now = utc_for_ist(6, 36)
    assert schedule.sweep().queued == 0
    [tip] = world.tips()
    assert (tip.farmer_id, tip.chat_id, tip.state) == (farmer, 1, "pending")
    assert tip.text.startswith("🌦") and "मौसम" in tip.text  # the farmer's language
    [claim] = world.claims()
    assert (claim.local_date, claim.state, claim.outbox_id) == (TODAY, "queued", tip.id)
    world.clock.now = utc_for_ist(6, 31, TODAY + dt.timedelta(days=1))
    world.fake.start_date = TODAY + dt.timedelta(days=1)
    assert schedule.sweep().queued == 1  # and again the next morning


def test_a_farmers_own_time_zone_comes_from_the_forecast_for_their_place(world: World) -> None:
    world.fake.zones[(-1.3, 36.8)] = "Africa/Nairobi"
    farmer = world.farmer(2, lat=-1.29, lon=36.82, language="sw")
    schedule = world.scheduler()
    world.clock.now = utc_for_ist(6, 31)  # 06:31 in India is 04:01 in Nairobi: not yet
    assert schedule.sweep().queued == 0
    with world.sessions() as session:
        assert session.get(Farmer, farmer).timezone == "Africa/Nairobi"  # type: ignore[union-attr]
    world.clock.now = dt.datetime.combine(TODAY, dt.time(3, 31))  # 06:31 in Nairobi
    assert schedule.sweep().queued == 1


def test_farmers_of_one_place_cost_one_forecast_request(world: World) -> None:
    for n in range(20):
        world.farmer(100 + n, lat=21.1 + (n % 2) * 0.02, lon=79.1)
    world.farmer(200, lat=12.9, lon=77.6)
    world.clock.now = utc_for_ist(7, 0)
    report = world.scheduler().sweep()
    assert report.queued == 21 and len(report.cells) == 2
    assert len(world.fake.requests) == 2


def test_after_downtime_tips_are_caught_up_within_the_grace_window_and_skipped_after(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    early, late = world.farmer(3, at="06:30"), world.farmer(4, at="05:00")
    world.clock.now = utc_for_ist(7, 45)  # the bot was down from 05:00 to 07:45
    caplog.set_level(logging.WARNING)
    report = world.scheduler().sweep()
    assert (report.queued, report.skipped_late) == (1, 1)  # 06:30 was 75 min ago, 05:00 2 h 45
    assert "1 morning tips skipped: more than 2:00:00 late" in caplog.text
    assert [t.farmer_id for t in world.tips()] == [early]
    assert sorted((c.farmer_id, c.state) for c in world.claims()) == [(early, "queued"), (late, "skipped")]
    caplog.clear()
    world.clock.now = utc_for_ist(7, 50)
    report = world.scheduler().sweep()
    assert (report.queued, report.skipped_late) == (0, 0)  # logged once, not every sweep
    assert "skipped" not in caplog.text
    assert len(world.tips()) == 1


def test_turning_tips_off_takes_effect_at_once(world: World) -> None:
    off, queued_then_off = world.farmer(5), world.farmer(6)
    with world.sessions.begin() as session:
        farmer_data.set_tips(session, session.get(Farmer, off), False)  # type: ignore[arg-type]
    world.clock.now = utc_for_ist(6, 45)
    assert world.scheduler().sweep().queued == 1
    assert [t.farmer_id for t in world.tips()] == [queued_then_off]
    with world.sessions.begin() as session:  # turned off before the sender got to it
        farmer_data.set_tips(session, session.get(Farmer, queued_then_off), False)  # type: ignore[arg-type]
    assert world.tips() == []


def test_a_crash_mid_broadcast_then_a_restart_sends_each_tip_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [world.farmer(300 + n, lat=10.0 + n, lon=76.0) for n in range(6)]  # six places
    world.clock.now = utc_for_ist(6, 40)
    original = TipSchedule._claim_and_queue
    calls = 0

    def crash_on_the_fourth(*args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyboardInterrupt("killed mid-broadcast")
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(TipSchedule, "_claim_and_queue", staticmethod(crash_on_the_fourth))
    with pytest.raises(KeyboardInterrupt):
        world.scheduler().sweep()
    assert len(world.tips()) == 3
    monkeypatch.setattr(TipSchedule, "_claim_and_queue", staticmethod(original))
    world.clock.now = utc_for_ist(6, 45)
    assert world.scheduler().sweep().queued == 3  # the restart does the rest
    assert sorted(t.farmer_id for t in world.tips()) == ids


def test_two_schedulers_at_once_send_one_tip_per_farmer(world: World) -> None:
    ids = [world.farmer(400 + n, lat=10.0 + (n % 5), lon=76.0) for n in range(40)]
    world.clock.now = utc_for_ist(6, 40)
    first, second = world.scheduler(), world.scheduler()
    start = threading.Barrier(2)
    reports = []

    def run(schedule: TipSchedule) -> None:
        start.wait()
        reports.append(schedule.sweep())

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(t.farmer_id for t in world.tips()) == ids
    assert sum(r.queued for r in reports) == 40


def test_a_scheduler_that_loses_the_race_for_a_claim_queues_nothing(world: World) -> None:
    farmer = world.farmer(7)
    world.clock.now = utc_for_ist(6, 40)
    slow, fast = world.scheduler(), world.scheduler()
    from bot.weather.schedule import SweepReport

    report = SweepReport()
    due, _late = slow._due(world.clock.now, report)  # slow has looked ...
    assert fast.sweep().queued == 1  # ... fast queues the tip meanwhile ...
    for cell, items in due.items():
        slow._queue_cell(cell, items, world.clock.now, report)
    assert (report.queued, report.claimed_elsewhere) == (0, 1)  # ... slow's claim fails: no second tip
    assert [t.farmer_id for t in world.tips()] == [farmer]


def test_no_forecast_means_no_tip_and_a_log_line_then_a_later_sweep_sends_it(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.farmer(8)
    world.fake.fail(*[FakeFault(503)] * 2)  # both tries of the first sweep
    schedule = world.scheduler()
    world.clock.now = utc_for_ist(6, 35)
    caplog.set_level(logging.INFO)
    report = schedule.sweep()
    assert (report.queued, report.waiting_for_forecast) == (0, 1)
    assert "no forecast for cell 21.1,79.1: server error 503" in caplog.text
    assert world.tips() == [] and world.claims() == []
    world.clock.now = utc_for_ist(6, 40)
    assert schedule.sweep().queued == 0  # the cell is left alone for a while
    world.clock.now = utc_for_ist(6, 50)
    assert schedule.sweep().queued == 1


def test_farmers_without_a_location_get_no_tip(world: World) -> None:
    with world.sessions.begin() as session:
        session.add(
            Farmer(
                channel="telegram", channel_user_id="9", chat_id=9, tips_enabled=True, tip_time=dt.time(6, 30)
            )
        )
    world.clock.now = utc_for_ist(6, 40)
    report = world.scheduler().sweep()
    assert (report.queued, report.no_location) == (0, 1)
    assert world.fake.requests == []
