"""The Open-Meteo client against a fake Open-Meteo on 127.0.0.1: shape, cache, retries, quota."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
from fake_open_meteo import FakeFault, FakeOpenMeteo

from bot.weather.forecast import DAILY_VARIABLES
from bot.weather.open_meteo import ForecastUnavailable, OpenMeteoClient

TODAY = dt.date(2026, 11, 27)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 1, 0)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeOpenMeteo]:
    server = FakeOpenMeteo(TODAY).start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _client(
    fake: FakeOpenMeteo, clock: Clock, sleeps: list[float] | None = None, **kw: float
) -> OpenMeteoClient:
    options: dict[str, float] = {"timeout_s": 2.0, "retries": 3, "backoff_s": 0.5} | kw
    return OpenMeteoClient(
        fake.url,
        clock=clock,
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
        **options,  # type: ignore[arg-type]
    )


def test_a_forecast_has_every_daily_value_in_the_places_time_zone(fake: FakeOpenMeteo, clock: Clock) -> None:
    fake.timezone = "Africa/Nairobi"
    fake.weather[(21.1, 79.1)] = [{"precipitation_sum": 31.4, "temperature_2m_max": 40.2}]
    forecast = _client(fake, clock).forecast(21.1432, 79.0882)
    [query] = fake.requests
    assert (query["latitude"], query["longitude"]) == ("21.1", "79.1")  # the cell, not the farm
    assert set(query["daily"].split(",")) == set(DAILY_VARIABLES)
    assert query["timezone"] == "auto" and query["forecast_days"] == "7"
    assert forecast.timezone == "Africa/Nairobi" and len(forecast.days) == 7
    today = forecast.days[0]
    assert (today.date, today.rain_mm, today.t_max, today.t_min) == (TODAY, 31.4, 40.2, 18.0)
    assert (today.wind_max, today.gusts_max, today.humidity, today.et0_mm) == (8.0, 14.0, 55.0, 3.0)
    assert forecast.fetched_at == clock.now


def test_farmers_in_one_cell_share_one_request_for_an_hour(fake: FakeOpenMeteo, clock: Clock) -> None:
    client = _client(fake, clock, cache_s=3600)
    client.forecast(21.14, 79.08)
    client.forecast(21.12, 79.11)  # another farm in the same 0.1° cell
    assert len(fake.requests) == 1
    client.forecast(21.34, 79.08)  # the next cell north
    assert len(fake.requests) == 2
    clock.now += dt.timedelta(minutes=59)
    client.forecast(21.14, 79.08)
    assert len(fake.requests) == 2
    clock.now += dt.timedelta(minutes=2)
    client.forecast(21.14, 79.08)
    assert len(fake.requests) == 3 and client.requests == 3


def test_server_errors_are_retried_with_backoff(fake: FakeOpenMeteo, clock: Clock) -> None:
    sleeps: list[float] = []
    fake.fail(FakeFault(503), FakeFault(502))
    forecast = _client(fake, clock, sleeps).forecast(10.0, 10.0)
    assert len(forecast.days) == 7
    assert len(fake.requests) == 3 and sleeps == [0.5, 1.0]


def test_a_cell_that_keeps_failing_is_left_alone_for_a_while(
    fake: FakeOpenMeteo, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail(*[FakeFault(500)] * 3)
    client = _client(fake, clock, retry_after_failure_s=900)
    with pytest.raises(ForecastUnavailable, match="server error 500, 3 tries"):
        client.forecast(10.0, 10.0)
    assert "no forecast for cell 10.0,10.0: server error 500" in caplog.text
    with pytest.raises(ForecastUnavailable, match="failed recently"):
        client.forecast(10.0, 10.0)
    assert len(fake.requests) == 3  # no hammering
    clock.now += dt.timedelta(minutes=16)
    assert client.forecast(10.0, 10.0).days


def test_429_stops_every_request_until_the_next_utc_day(
    fake: FakeOpenMeteo, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    fake.fail(FakeFault(429, body=b'{"error":true,"reason":"Daily API request limit exceeded"}'))
    client = _client(fake, clock)
    with pytest.raises(ForecastUnavailable, match="429"):
        client.forecast(10.0, 10.0)
    with pytest.raises(ForecastUnavailable, match="quota"):
        client.forecast(30.0, 30.0)  # another cell too: the quota is the whole day's
    assert len(fake.requests) == 1
    assert "429" in caplog.text
    clock.now = dt.datetime(2026, 11, 28, 0, 1)
    assert client.forecast(30.0, 30.0).days


def test_timeouts_are_retried_then_given_up(fake: FakeOpenMeteo, clock: Clock) -> None:
    fake.fail(FakeFault(stall=0.6))
    client = _client(fake, clock, timeout_s=0.3)
    assert client.forecast(10.0, 10.0).days  # the second try answers
    fake.fail(*[FakeFault(stall=0.6)] * 3)
    with pytest.raises(ForecastUnavailable, match="timed out, 3 tries"):
        client.forecast(40.0, 40.0)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>502 Bad Gateway</html>",
        b'{"latitude": 1, "longitude": 2}',
        json.dumps(
            {"latitude": 1, "longitude": 2, "timezone": "UTC", "daily": {"time": ["2026-11-27"]}}
        ).encode(),
        b'{"latitude":1,"longitude":2,"timezone":"UTC","daily":{"time":[],'
        + b",".join(f'"{v}":[]'.encode() for v in DAILY_VARIABLES)
        + b"}}",
    ],
    ids=["html", "no-daily", "missing-arrays", "no-days"],
)
def test_an_answer_that_is_not_a_forecast_is_refused_without_retrying(
    fake: FakeOpenMeteo, clock: Clock, body: bytes
) -> None:
    fake.fail(FakeFault(200, body=body))
    with pytest.raises(ForecastUnavailable):
        _client(fake, clock).forecast(10.0, 10.0)
    assert len(fake.requests) == 1


def test_days_with_missing_values_are_dropped_not_guessed(fake: FakeOpenMeteo, clock: Clock) -> None:
    fake.weather[(10.0, 10.0)] = [
        {},
        {"precipitation_sum": None},
        {"wind_speed_10m_max": None},
        {"et0_fao_evapotranspiration": None},
    ]
    forecast = _client(fake, clock).forecast(10.0, 10.0)
    dates = [d.date for d in forecast.days]
    assert TODAY + dt.timedelta(days=1) not in dates and TODAY + dt.timedelta(days=2) not in dates
    assert len(dates) == 5 and forecast.days[1].et0_mm == 0.0
