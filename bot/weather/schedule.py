"""The morning tips: a sweep finds the farmers whose tip is due and queues each tip once.

APScheduler (PTB's JobQueue) only says "sweep now"; what was sent is decided here, by a claim row
unique per farmer and local date, committed together with the tip's outbox row. So a tip goes out
at most once with two schedulers or a crash mid-broadcast, and a restart carries on where the last
sweep stopped. Delivery and its pacing are the outbox's."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.storage import outbox
from bot.storage.models import Farmer, TipLog
from bot.weather.open_meteo import Cell, ForecastUnavailable
from bot.weather.service import Weather
from bot.weather.tips import Stale

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    queued: int = 0
    skipped_late: int = 0
    waiting_for_forecast: int = 0
    claimed_elsewhere: int = 0
    no_location: int = 0
    cells: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Due:
    farmer_id: int
    local_date: dt.date
    late: dt.timedelta


class TipSchedule:
    def __init__(self, sessions: sessionmaker[Session], weather: Weather, settings: Settings) -> None:
        self._sessions = sessions
        self._weather = weather
        self._grace = dt.timedelta(seconds=settings.tip_grace_s)
        self._default_language = settings.default_language

    def sweep(self, now: dt.datetime | None = None) -> SweepReport:
        """Queues every tip that is due at `now` (UTC, naive) and not yet claimed."""
        now = now or self._weather.clock()
        report = SweepReport()
        due_by_cell, too_late = self._due(now, report)
        for item in too_late:
            self._claim_skipped(item, report)
        for cell, due in due_by_cell.items():
            report.cells.add(str(cell))
            self._queue_cell(cell, due, now, report)
        if report.skipped_late:
            count, late = report.skipped_late, self._grace
            log.warning("%d morning tips skipped: more than %s late (the bot was down)", count, late)
        if report.queued or report.waiting_for_forecast:
            log.info(
                "tips sweep: %d queued over %d places, %d waiting for a forecast",
                report.queued,
                len(report.cells),
                report.waiting_for_forecast,
            )
        return report

    def _due(self, now: dt.datetime, report: SweepReport) -> tuple[dict[Cell, list[_Due]], list[_Due]]:
        """Farmers whose local tip time has passed today and who have no claim for today."""
        with self._sessions.begin() as session:
            farmers = session.scalars(
                select(Farmer).where(Farmer.tips_enabled.is_(True), Farmer.tip_time.is_not(None))
            ).all()
            claimed = {
                (farmer_id, local_date)
                for farmer_id, local_date in session.execute(
                    select(TipLog.farmer_id, TipLog.local_date).where(
                        TipLog.local_date >= (now - dt.timedelta(days=1)).date()
                    )
                )
            }
            self._learn_time_zones(farmers)
            due: dict[Cell, list[_Due]] = defaultdict(list)
            too_late: list[_Due] = []
            for farmer in farmers:
                if farmer.latitude is None or farmer.longitude is None or farmer.chat_id is None:
                    report.no_location += 1
                    continue
                local = self._weather.local_now(farmer, now)
                assert farmer.tip_time is not None
                late = local - dt.datetime.combine(local.date(), farmer.tip_time)
                if late < dt.timedelta(0) or (farmer.id, local.date()) in claimed:
                    continue
                item = _Due(farmer.id, local.date(), late)
                if late > self._grace:
                    too_late.append(item)
                else:
                    due[Cell.of(farmer.latitude, farmer.longitude)].append(item)
        return due, too_late

    def _learn_time_zones(self, farmers: Sequence[Farmer]) -> None:
        """A farmer's time zone comes with their cell's first forecast; until then it is a guess."""
        for farmer in farmers:
            if farmer.timezone is None and farmer.latitude is not None and farmer.longitude is not None:
                # On failure the default zone stands in; the failure itself is logged by the client.
                with contextlib.suppress(ForecastUnavailable):
                    self._weather.forecast_for(farmer)

    def _claim_skipped(self, item: _Due, report: SweepReport) -> None:
        """Recorded, so the skip is logged once and a later sweep does not reconsider it."""
        try:
            with self._sessions.begin() as session:
                session.add(TipLog(farmer_id=item.farmer_id, local_date=item.local_date, state="skipped"))
        except IntegrityError:
            return
        report.skipped_late += 1

    def _queue_cell(self, cell: Cell, due: list[_Due], now: dt.datetime, report: SweepReport) -> None:
        """One transaction per cell (fewer disk syncs), one savepoint per farmer."""
        with self._sessions.begin() as session:
            for item in due:
                farmer = session.get(Farmer, item.farmer_id)
                if farmer is None or not farmer.tips_enabled or farmer.chat_id is None:
                    continue  # erased or turned off since the look: takes effect at once
                language = farmer.language or self._default_language
                try:
                    text, kinds = self._weather.tip(session, farmer, language, now)
                except (ForecastUnavailable, Stale) as exc:
                    report.waiting_for_forecast += 1
                    log.info("tip for cell %s waits: %s", cell, exc)
                    continue
                try:
                    with session.begin_nested():
                        self._claim_and_queue(session, farmer, item.local_date, text, kinds)
                except IntegrityError:
                    report.claimed_elsewhere += 1  # another scheduler was first
                    continue
                report.queued += 1

    @staticmethod
    def _claim_and_queue(
        session: Session, farmer: Farmer, local_date: dt.date, text: str, kinds: list[str]
    ) -> None:
        claim = TipLog(farmer_id=farmer.id, local_date=local_date, state="queued", kinds=kinds)
        session.add(claim)
        session.flush()  # the unique claim first: a second scheduler stops here
        assert farmer.chat_id is not None
        row = outbox.enqueue(
            session,
            channel=farmer.channel,
            chat_id=farmer.chat_id,
            text=text,
            kind="tip",
            farmer_id=farmer.id,
        )
        session.flush()
        claim.outbox_id = row.id
