"""A fake Open-Meteo forecast API on 127.0.0.1: answers of the real shape (daily arrays in the
place's time zone), a weather chosen per grid cell by the test, and faults on demand: 5xx, 429,
a stall past the client's timeout, or a body that is not the expected JSON."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests_support import LoopbackServer, reply_json

#: A calm, mild day: no rule fires except the spray window.
MILD: dict[str, float] = {
    "precipitation_sum": 0.0,
    "precipitation_probability_max": 5.0,
    "temperature_2m_max": 29.0,
    "temperature_2m_min": 18.0,
    "wind_speed_10m_max": 8.0,
    "wind_gusts_10m_max": 14.0,
    "relative_humidity_2m_mean": 55.0,
    "et0_fao_evapotranspiration": 3.0,
}


@dataclass
class FakeFault:
    status: int = 200
    stall: float = 0.0
    body: bytes | None = None


@dataclass
class FakeOpenMeteo:
    """`fake.weather[(lat, lon)] = [day0, day1, ...]` (dicts overriding MILD) sets a cell's days."""

    start_date: dt.date
    timezone: str = "Asia/Kolkata"
    weather: dict[tuple[float, float], list[dict[str, float | None]]] = field(default_factory=dict)
    zones: dict[tuple[float, float], str] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    faults: list[FakeFault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: LoopbackServer | None = None

    def start(self) -> FakeOpenMeteo:
        self._server = LoopbackServer.start(self._handle)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"{self._server.origin}/v1/forecast"

    def fail(self, *faults: FakeFault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def body_for(self, latitude: float, longitude: float, days: int) -> dict[str, Any]:
        cell = (round(latitude, 1), round(longitude, 1))
        overrides = self.weather.get(cell, [])
        daily: dict[str, list[Any]] = {"time": []}
        for name in MILD:
            daily[name] = []
        for i in range(days):
            daily["time"].append((self.start_date + dt.timedelta(days=i)).isoformat())
            values = {**MILD, **(overrides[i] if i < len(overrides) else {})}
            for name in MILD:
                daily[name].append(values[name])
        return {
            "latitude": latitude + 0.0012,  # the real API snaps to its own grid
            "longitude": longitude - 0.0007,
            "generationtime_ms": 0.3,
            "utc_offset_seconds": 19800,
            "timezone": self.zones.get(cell, self.timezone),
            "timezone_abbreviation": "GMT+5:30",
            "elevation": 312.0,
            "daily_units": {"time": "iso8601", "precipitation_sum": "mm", "temperature_2m_max": "°C"},
            "daily": daily,
        }

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        with self._lock:
            self.requests.append(query)
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            time.sleep(fault.stall)
            if fault.body is not None or fault.status != 200:
                reply_json(request, fault.status, fault.body or b'{"error":true,"reason":"fault"}')
                return
        try:
            latitude, longitude = float(query["latitude"]), float(query["longitude"])
            days = int(query.get("forecast_days", "7"))
        except (KeyError, ValueError):
            reply_json(request, 400, b'{"error":true,"reason":"Parameter latitude missing"}')
            return
        reply_json(request, 200, json.dumps(self.body_for(latitude, longitude, days)).encode())
