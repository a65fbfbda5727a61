"""`kisanbot run` as a real process: killed mid-answer and restarted, and a second instance."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import FakeBotApi, Fault

from bot.config import PROJECT_ROOT


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    yield api
    api.stop()


def _spawn(fake: FakeBotApi, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_POLL_TIMEOUT_S": "1",
        "TELEGRAM_READ_TIMEOUT_S": "3",
        "CHAT_MIN_INTERVAL_S": "0.02",
        "MODEL_DIR": "",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=out, stderr=out)


def _wait_polling(fake: FakeBotApi, process: subprocess.Popen[bytes], log: Path, already: int = 0) -> None:
    def polling() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the bot exited: {log.read_text(errors='replace')}")
        return len(fake.calls_of("getUpdates")) > already

    fake.wait_until(polling, timeout=60)


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_a_bot_killed_mid_answer_answers_once_after_restart(fake: FakeBotApi, data_dir: Path) -> None:
    log = data_dir.parent / "bot.log"
    # The bot is mid-answer while "typing…" hangs: that is when it gets killed.
    fake.fail("sendChatAction", Fault(stall=30, record=True))
    first = _spawn(fake, data_dir, log)
    _wait_polling(fake, first, log)
    fake.send_text(4242, "wheat yellow rust what to spray", language_code="en")
    fake.wait_until(lambda: len(fake.calls_of("sendChatAction")) >= 1, timeout=30)
    first.kill()
    first.wait(timeout=10)
    assert fake.delivered(4242) == []

    polls = len(fake.calls_of("getUpdates"))
    second = _spawn(fake, data_dir, log)
    _wait_polling(fake, second, log, already=polls)
    fake.wait_until(lambda: len(fake.delivered(4242)) >= 1, timeout=30)
    time.sleep(1.5)
    assert _stop(second) == 0
    assert len(fake.delivered(4242)) == 1
    text = log.read_text(errors="replace")
    assert "unfinished" in text
    assert fake.token not in text and "yellow rust" not in text


def test_a_second_instance_on_the_same_database_refuses_to_start(fake: FakeBotApi, data_dir: Path) -> None:
    log = data_dir.parent / "first.log"
    first = _spawn(fake, data_dir, log)
    try:
        _wait_polling(fake, first, log)
        second_log = data_dir.parent / "second.log"
        second = _spawn(fake, data_dir, second_log)
        assert second.wait(timeout=60) != 0
        message = second_log.read_text(errors="replace")
        assert "already running" in message and f"pid {first.pid}" in message
        assert first.poll() is None
    finally:
        assert _stop(first) == 0


def test_run_without_a_token_says_how_to_get_one(data_dir: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(data_dir), "TELEGRAM_TOKEN": "", "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "TELEGRAM_TOKEN" in result.stderr and "BotFather" in result.stderr
