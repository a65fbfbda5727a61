"""The weather for a farmer: their cell's forecast, their local day, their crops. Door-neutral."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.i18n import Translator
from bot.storage.models import CropPlan, Farmer, utcnow
from bot.weather.forecast import Forecast
from bot.weather.open_meteo import OpenMeteoClient
from bot.weather.rules import CropPlanView
from bot.weather.tips import TipWriter

log = logging.getLogger(__name__)


class Weather:
    """`weather.answer(session, farmer, "hi")` → the forecast for the farmer's farm, in Hindi."""

    def __init__(
        self,
        client: OpenMeteoClient,
        writer: TipWriter,
        settings: Settings,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.client = client
        self.writer = writer
        self._default_zone = ZoneInfo(settings.default_timezone)
        self.max_age = dt.timedelta(seconds=settings.tip_max_forecast_age_s)
        self.clock = clock

    @classmethod
    def build(
        cls, settings: Settings, translator: Translator, clock: Callable[[], dt.datetime] = utcnow
    ) -> Weather:
        client = OpenMeteoClient(
            settings.open_meteo_url,
            timeout_s=settings.weather_timeout_s,
            retries=settings.weather_retries,
            backoff_s=settings.weather_backoff_s,
            cache_s=settings.forecast_cache_s,
            retry_after_failure_s=settings.forecast_retry_s,
            clock=clock,
        )
        return cls(client, TipWriter.load(settings.knowledge_dir, translator), settings, clock)

    def close(self) -> None:
        self.client.close()

    def forecast_for(self, farmer: Farmer) -> Forecast:
        """The forecast for the farmer's cell; learns the farmer's time zone from it on the way."""
        assert farmer.latitude is not None and farmer.longitude is not None
        forecast = self.client.forecast(farmer.latitude, farmer.longitude)
        if farmer.timezone is None and _known_zone(forecast.timezone):
            farmer.timezone = forecast.timezone
        return forecast

    def local_now(self, farmer: Farmer, now: dt.datetime | None = None) -> dt.datetime:
        """The farmer's wall-clock time (naive) for `now` in UTC (naive)."""
        utc = (now or self.clock()).replace(tzinfo=dt.UTC)
        tz = ZoneInfo(farmer.timezone) if farmer.timezone else self._default_zone
        return utc.astimezone(tz).replace(tzinfo=None)

    def answer(self, session: Session, farmer: Farmer, language: str) -> str:
        """The next days' weather and what it means for the farmer's crops.
        Raises ForecastUnavailable or Stale."""
        forecast = self.forecast_for(farmer)
        today = self.local_now(farmer).date()
        return self.writer.answer(language, forecast, today, plans_of(session, farmer))

    def tip(self, session: Session, farmer: Farmer, language: str, now: dt.datetime) -> tuple[str, list[str]]:
        """This morning's tip and its kinds of advice. Raises ForecastUnavailable or Stale."""
        forecast = self.forecast_for(farmer)
        today = self.local_now(farmer, now).date()
        return self.writer.tip(language, forecast, today, plans_of(session, farmer), now, self.max_age)

    def preview(self, latitude: float, longitude: float, plans: Sequence[CropPlanView], language: str) -> str:
        """The tip that a farmer at this place with these crops would get now (no farmer needed)."""
        now = self.clock()
        forecast = self.client.forecast(latitude, longitude)
        tz = ZoneInfo(forecast.timezone) if _known_zone(forecast.timezone) else self._default_zone
        today = now.replace(tzinfo=dt.UTC).astimezone(tz).date()
        return self.writer.tip(language, forecast, today, plans, now, self.max_age)[0]


def plans_of(session: Session, farmer: Farmer) -> list[CropPlanView]:
    plans = session.scalars(select(CropPlan).where(CropPlan.farmer_id == farmer.id).order_by(CropPlan.id))
    return [CropPlanView(p.crop, p.sown_on, p.area_ha) for p in plans]


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("the weather service named an unknown time zone: %r", name[:40])
        return False
    return True
