"""A small Open-Meteo client: one request per grid cell an hour, retries that respect the service.

Open-Meteo's free tier allows about 10,000 calls a day; a 429 means the day's quota is spent, so
the client stops asking until the next UTC day instead of hammering it."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from bot.storage.models import utcnow
from bot.weather.forecast import DAILY_VARIABLES, Forecast, OpenMeteoResponse

log = logging.getLogger(__name__)

#: Forecasts are shared by everyone within a 0.1° cell (about 11 km): calls grow with places.
CELL_DEGREES = 0.1
FORECAST_DAYS = 7


class ForecastUnavailable(Exception):
    """No forecast for this place now; the reason is safe to log (no coordinates finer than a cell)."""


@dataclass(frozen=True)
class Cell:
    latitude: float
    longitude: float

    @classmethod
    def of(cls, latitude: float, longitude: float) -> Cell:
        return cls(_snap(latitude), _snap(longitude))

    def __str__(self) -> str:
        return f"{self.latitude:.1f},{self.longitude:.1f}"


def _snap(value: float) -> float:
    return round(round(value / CELL_DEGREES) * CELL_DEGREES, 1)


class OpenMeteoClient:
    def __init__(
        self,
        base_url: str,
        timeout_s: float = 10.0,
        retries: int = 3,
        backoff_s: float = 2.0,
        cache_s: float = 3600.0,
        retry_after_failure_s: float = 900.0,
        clock: Callable[[], dt.datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = base_url
        self._http = httpx.Client(timeout=timeout_s, headers={"User-Agent": "kisanbot"})
        self._retries = max(1, retries)
        self._backoff = backoff_s
        self._cache_for = dt.timedelta(seconds=cache_s)
        self._failure_pause = dt.timedelta(seconds=retry_after_failure_s)
        self._clock = clock
        self._sleep = sleep
        self._cache: dict[Cell, Forecast] = {}
        self._failed_until: dict[Cell, dt.datetime] = {}
        self._quota_until: dt.datetime | None = None
        self._cell_locks: dict[Cell, threading.Lock] = {}
        self._guard = threading.Lock()
        #: Requests sent (retries included): what the benchmark and the daily quota count.
        self.requests = 0

    def close(self) -> None:
        self._http.close()

    def forecast(self, latitude: float, longitude: float) -> Forecast:
        """The forecast for the cell around (latitude, longitude), cached; or ForecastUnavailable."""
        cell = Cell.of(latitude, longitude)
        with self._lock_for(cell):  # one request per cell even when many farmers ask at once
            now = self._clock()
            cached = self._cache.get(cell)
            if cached is not None and now - cached.fetched_at < self._cache_for:
                return cached
            if self._quota_until is not None and now < self._quota_until:
                raise ForecastUnavailable("daily quota of the weather service used up (429)")
            failed_until = self._failed_until.get(cell)
            if failed_until is not None and now < failed_until:
                raise ForecastUnavailable(f"cell {cell}: failed recently, next try {failed_until:%H:%M}")
            try:
                forecast = self._fetch(cell)
            except ForecastUnavailable:
                self._failed_until[cell] = now + self._failure_pause
                raise
            self._failed_until.pop(cell, None)
            self._cache[cell] = forecast
            return forecast

    def _lock_for(self, cell: Cell) -> threading.Lock:
        with self._guard:
            return self._cell_locks.setdefault(cell, threading.Lock())

    def _fetch(self, cell: Cell) -> Forecast:
        params: dict[str, str | float | int] = {
            "latitude": cell.latitude,
            "longitude": cell.longitude,
            "daily": ",".join(DAILY_VARIABLES),
            "timezone": "auto",  # days in the place's own time zone, and its name for the schedule
            "forecast_days": FORECAST_DAYS,
            "wind_speed_unit": "kmh",
        }
        problem = "no attempt"
        for attempt in range(self._retries):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            self.requests += 1
            try:
                response = self._http.get(self._url, params=params)
            except httpx.TimeoutException:
                problem = "timed out"
                continue
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__})"
                continue
            if response.status_code == 429:
                self._quota_until = _next_utc_midnight(self._clock())
                log.warning("weather service said 429 (daily quota): no more requests until 00:00 UTC")
                raise ForecastUnavailable("daily quota of the weather service used up (429)")
            if response.status_code >= 500:
                problem = f"server error {response.status_code}"
                continue
            if response.status_code != 200:
                raise self._give_up(cell, f"refused with {response.status_code}")
            return self._parse(cell, response)
        raise self._give_up(cell, f"{problem}, {self._retries} tries")

    def _parse(self, cell: Cell, response: httpx.Response) -> Forecast:
        try:
            forecast = OpenMeteoResponse.model_validate_json(response.content).to_forecast(self._clock())
        except ValidationError as exc:
            raise self._give_up(cell, f"unexpected answer ({exc.error_count()} problems)") from None
        if not forecast.days:
            raise self._give_up(cell, "answer without usable days")
        return forecast

    @staticmethod
    def _give_up(cell: Cell, reason: str) -> ForecastUnavailable:
        log.warning("no forecast for cell %s: %s", cell, reason)
        return ForecastUnavailable(f"cell {cell}: {reason}")


def _next_utc_midnight(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
