"""A daily forecast for one place, in that place's time zone, as the Open-Meteo API shapes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, model_validator

#: The daily variables asked of Open-Meteo, in its names.
DAILY_VARIABLES = (
    "precipitation_sum",
    "precipitation_probability_max",
    "temperature_2m_max",
    "temperature_2m_min",
    "wind_speed_10m_max",
    "wind_gusts_10m_max",
    "relative_humidity_2m_mean",
    "et0_fao_evapotranspiration",
)


@dataclass(frozen=True)
class Day:
    """One local day. Rain in mm, chance in %, °C, wind in km/h, humidity in %, ET0 in mm."""

    date: dt.date
    rain_mm: float
    rain_chance: float
    t_max: float
    t_min: float
    wind_max: float
    gusts_max: float
    humidity: float
    et0_mm: float


@dataclass(frozen=True)
class Forecast:
    latitude: float
    longitude: float
    timezone: str
    fetched_at: dt.datetime  # UTC, naive
    days: tuple[Day, ...]

    def from_day(self, today: dt.date) -> tuple[Day, ...]:
        """The days from `today` on (a forecast fetched yesterday evening starts a day early)."""
        return tuple(d for d in self.days if d.date >= today)


class _Daily(BaseModel):
    model_config = ConfigDict(extra="ignore")

    time: list[dt.date]
    precipitation_sum: list[float | None]
    precipitation_probability_max: list[float | None]
    temperature_2m_max: list[float | None]
    temperature_2m_min: list[float | None]
    wind_speed_10m_max: list[float | None]
    wind_gusts_10m_max: list[float | None]
    relative_humidity_2m_mean: list[float | None]
    et0_fao_evapotranspiration: list[float | None]

    @model_validator(mode="after")
    def _same_lengths(self) -> _Daily:
        lengths = {len(getattr(self, name)) for name in ("time", *DAILY_VARIABLES)}
        if len(lengths) != 1 or not self.time:
            raise ValueError("daily arrays are empty or of different lengths")
        return self


class OpenMeteoResponse(BaseModel):
    """The part of Open-Meteo's answer kisanbot reads; anything else in it is ignored."""

    model_config = ConfigDict(extra="ignore")

    latitude: float
    longitude: float
    timezone: str
    daily: _Daily

    def to_forecast(self, fetched_at: dt.datetime) -> Forecast:
        """Days missing rain, temperature or wind are dropped: a tip never guesses those. Missing
        humidity or ET0 count as 0, which only keeps the disease and irrigation rules quiet."""
        d = self.daily
        days = []
        for i, date in enumerate(d.time):
            values = [getattr(d, name)[i] for name in DAILY_VARIABLES]
            rain, chance, t_max, t_min, wind, gusts, humidity, et0 = values
            if rain is None or t_max is None or t_min is None or wind is None:
                continue
            days.append(
                Day(
                    date=date,
                    rain_mm=rain,
                    rain_chance=chance if chance is not None else (100.0 if rain else 0.0),
                    t_max=t_max,
                    t_min=t_min,
                    wind_max=wind,
                    gusts_max=gusts if gusts is not None else wind,
                    humidity=float(humidity or 0.0),
                    et0_mm=float(et0 or 0.0),
                )
            )
        return Forecast(self.latitude, self.longitude, self.timezone, fetched_at, tuple(days))
