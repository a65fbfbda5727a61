"""`kisanbot tips preview` and `kisanbot tips send-due` as real subprocesses against the fake Open-Meteo."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_open_meteo import FakeFault, FakeOpenMeteo
from sqlalchemy import select
from tests_support import KNOWLEDGE_DIR, run_kisanbot

from bot import ui_text
from bot.config import Settings
from bot.i18n import Translator
from bot.storage.database import open_database
from bot.storage.models import Farmer, OutboxMessage

TODAY_IN_INDIA = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5, minutes=30)).date()
DRY_HOT = [{"et0_fao_evapotranspiration": 6.0}] * 3


@pytest.fixture
def meteo() -> Iterator[FakeOpenMeteo]:
    server = FakeOpenMeteo(TODAY_IN_INDIA).start()
    yield server
    server.stop()


def kisanbot(args: list[str], data_dir: Path, meteo: FakeOpenMeteo) -> subprocess.CompletedProcess[str]:
    env = {
        "OPEN_METEO_URL": meteo.url,
        "WEATHER_RETRIES": "2",
        "WEATHER_BACKOFF_S": "0",
        "TIP_GRACE_S": "86400",  # a tip at 00:00 is due all day, whenever the test runs
    }
    return run_kisanbot(["tips", *args], data_dir, env=env)


def test_preview_prints_the_tip_for_a_place_and_crop(
    data_dir: Path, meteo: FakeOpenMeteo, translator: Translator
) -> None:
    meteo.weather[(28.6, 77.2)] = DRY_HOT
    sown = (TODAY_IN_INDIA - dt.timedelta(days=60)).isoformat()
    args = ["preview", "--lat", "28.61", "--lon", "77.21", "--crop", "wheat", "--sown", sown, "--area", "2"]
    result = kisanbot([*args, "--lang", "hi"], data_dir, meteo)
    assert result.returncode == 0, result.stderr
    # wheat at day 60 is mid-season (Kc 1.15): 1.15 × 18 mm = 20.7 → 21 mm; × 2 ha = 4,14,000 litres
    assert translator.text("hi", ui_text.TIP_IRRIGATION_AREA, area="2", litres="4,14,000") in result.stdout
    assert result.stdout.splitlines()[-1] == "— " + translator.text("hi", ui_text.TIP_LABEL)
    assert not (data_dir / "kisanbot.db").exists() or _tips(data_dir) == []  # nothing stored or sent


def test_preview_of_a_stored_farmer_is_in_their_language(
    data_dir: Path, meteo: FakeOpenMeteo, translator: Translator
) -> None:
    farmer_id = _farmer(data_dir, language="sw")
    result = kisanbot(["preview", "--farmer", str(farmer_id)], data_dir, meteo)
    assert result.returncode == 0, result.stderr
    assert translator.text("sw", ui_text.TIP_NO_RISK) in result.stdout
    missing = kisanbot(["preview", "--farmer", "999"], data_dir, meteo)
    assert missing.returncode != 0 and "no farmer with id 999" in missing.stderr


def test_preview_without_a_forecast_says_so_without_a_traceback(data_dir: Path, meteo: FakeOpenMeteo) -> None:
    meteo.fail(FakeFault(502), FakeFault(502))
    result = kisanbot(["preview", "--lat", "10", "--lon", "76", "--lang", "en"], data_dir, meteo)
    assert result.returncode == 1
    assert "no tip:" in result.stderr and "server error 502" in result.stderr
    assert "Traceback" not in result.stderr
    usage = kisanbot(["preview", "--lang", "en"], data_dir, meteo)
    assert usage.returncode == 2 and "--lat and --lon" in usage.stderr


def test_send_due_queues_each_due_tip_once(data_dir: Path, meteo: FakeOpenMeteo) -> None:
    farmer_id = _farmer(data_dir, language="hi")
    first = kisanbot(["send-due"], data_dir, meteo)
    assert first.returncode == 0, first.stderr
    assert "queued 1 tips over 1 places" in first.stdout
    second = kisanbot(["send-due"], data_dir, meteo)
    assert "queued 0 tips" in second.stdout
    assert [(t.farmer_id, t.kind, t.state) for t in _tips(data_dir)] == [(farmer_id, "tip", "pending")]


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, knowledge_dir=KNOWLEDGE_DIR)


def _farmer(data_dir: Path, language: str) -> int:
    _engine, sessions = open_database(_settings(data_dir))
    with sessions.begin() as session:
        farmer = Farmer(
            channel="telegram",
            channel_user_id="55",
            chat_id=55,
            language=language,
            latitude=21.1,
            longitude=79.1,
            tips_enabled=True,
            tip_time=dt.time(0, 0),
        )
        session.add(farmer)
        session.flush()
        return farmer.id


def _tips(data_dir: Path) -> list[OutboxMessage]:
    _engine, sessions = open_database(_settings(data_dir))
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "tip")))
