"""Morning tips for 10,000 farmers over 500 grid cells: time, forecast calls, memory.

Run: .venv/bin/python benchmarks/tips.py [--farmers 10000] [--cells 500]
A fake Open-Meteo on loopback (same process) serves a different weather per cell; one real sweep
(TipSchedule.sweep: claim rows + outbox rows in SQLite) runs at 06:45 local time. Then the same
tips are composed again with the forecasts cached, to separate writing text from fetching and
storing. Compare figures within one run only: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_open_meteo import FakeOpenMeteo  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bot.config import PROJECT_ROOT, Settings  # noqa: E402
from bot.i18n import Translator  # noqa: E402
from bot.languages import SUPPORTED  # noqa: E402
from bot.storage.database import open_database  # noqa: E402
from bot.storage.models import CropPlan, Farmer, OutboxMessage  # noqa: E402
from bot.weather.schedule import TipSchedule  # noqa: E402
from bot.weather.service import Weather  # noqa: E402

TODAY = dt.date(2026, 11, 27)
SWEEP_AT = dt.datetime(2026, 11, 27, 1, 15)  # 06:45 in India
CROPS = ["wheat", "rice", "cotton", "tomato", "potato", "maize", "onion", "chickpea", "banana", "mustard"]


def cells(count: int, rng: random.Random) -> list[tuple[float, float]]:
    chosen: set[tuple[float, float]] = set()
    while len(chosen) < count:
        chosen.add((round(rng.uniform(8, 30), 1), round(rng.uniform(70, 90), 1)))
    return sorted(chosen)


def weather_for(rng: random.Random) -> list[dict[str, float | None]]:
    return [
        {
            "precipitation_sum": rng.choice([0.0, 0.0, 0.0, 2.0, 8.0, 25.0]),
            "precipitation_probability_max": rng.choice([5.0, 30.0, 80.0]),
            "temperature_2m_max": rng.uniform(24, 42),
            "temperature_2m_min": rng.uniform(3, 24),
            "wind_speed_10m_max": rng.uniform(4, 28),
            "wind_gusts_10m_max": rng.uniform(10, 45),
            "relative_humidity_2m_mean": rng.uniform(40, 95),
            "et0_fao_evapotranspiration": rng.uniform(2, 7),
        }
        for _ in range(7)
    ]


def seed(sessions: object, places: list[tuple[float, float]], farmers: int, rng: random.Random) -> None:
    rows = []
    for i in range(farmers):
        lat, lon = places[i % len(places)]
        rows.append(
            {
                "channel": "telegram",
                "channel_user_id": str(1_000_000 + i),
                "chat_id": 1_000_000 + i,
                "language": SUPPORTED[i % len(SUPPORTED)],
                "latitude": lat + rng.uniform(-0.04, 0.04),
                "longitude": lon + rng.uniform(-0.04, 0.04),
                "timezone": "Asia/Kolkata",
                "tips_enabled": True,
                "tip_time": dt.time(6, 30),
            }
        )
    with sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(insert(Farmer), rows)
        ids = list(session.scalars(select(Farmer.id)))
        plans = [
            {
                "farmer_id": farmer_id,
                "crop": rng.choice(CROPS),
                "sown_on": TODAY - dt.timedelta(days=rng.randint(5, 120)),
                "area_ha": rng.choice([None, 0.4, 1.0, 2.5]),
            }
            for farmer_id in ids
            for _ in range(1 + farmer_id % 2)
        ]
        session.execute(insert(CropPlan), plans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--farmers", type=int, default=10_000)
    parser.add_argument("--cells", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(11)
    places = cells(args.cells, rng)
    fake = FakeOpenMeteo(TODAY).start()
    for place in places:
        fake.weather[place] = weather_for(rng)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder), knowledge_dir=PROJECT_ROOT / "knowledge", open_meteo_url=fake.url
        )
        _engine, sessions = open_database(settings)
        seed(sessions, places, args.farmers, rng)
        clock = lambda: SWEEP_AT  # noqa: E731
        weather = Weather.build(settings, Translator(), clock)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = TipSchedule(sessions, weather, settings).sweep(SWEEP_AT)
        sweep_s = time.perf_counter() - started
        calls = len(fake.requests)
        with sessions() as session:
            tips = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
            sample = session.scalars(select(OutboxMessage.text).limit(1)).one()
            started = time.perf_counter()
            for farmer in session.scalars(select(Farmer)):
                weather.tip(session, farmer, farmer.language or "en", SWEEP_AT)
            compose_s = time.perf_counter() - started
            session.rollback()
        started = time.perf_counter()
        again = TipSchedule(sessions, weather, settings).sweep(SWEEP_AT + dt.timedelta(minutes=5))
        second_s = time.perf_counter() - started
        weather.close()
    fake.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"farmers {args.farmers:,}, grid cells {len(places)}")
    per_tip = sweep_s / max(1, report.queued) * 1000
    print(f"sweep: {report.queued:,} tips queued in {sweep_s:.1f} s ({per_tip:.2f} ms a tip)")
    print(f"forecast requests: {calls} (ratio to farmers {calls / args.farmers:.3f}); outbox rows {tips:,}")
    print(
        f"compose only, forecasts cached: {compose_s:.1f} s ({compose_s / args.farmers * 1000:.2f} ms a tip)"
    )
    print(f"second sweep 5 min later: {again.queued} queued in {second_s:.2f} s")
    print(f"peak RSS {rss_peak:.0f} MB (after seeding {rss_before:.0f} MB)")
    print("sample tip:\n" + sample)


if __name__ == "__main__":
    main()
