"""Shared fixtures: every test gets its own data folder and a real SQLite file through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.advisor import Advisor, Analyser
from bot.config import PROJECT_ROOT, Settings
from bot.engines.cards import CardEngine
from bot.i18n import Translator
from bot.storage.database import open_database

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points the app's data folder at a temporary one, so no test touches ./var."""
    folder = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    """Lexicons, cards and the language detector load once per test run."""
    return Analyser.load(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def translator() -> Translator:
    return Translator()


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, knowledge_dir=KNOWLEDGE_DIR)


@pytest.fixture
def advisor(settings: Settings, analyser: Analyser, translator: Translator) -> Iterator[Advisor]:
    engine, sessions = open_database(settings)
    yield Advisor(settings, sessions, analyser, CardEngine(translator), translator)
    engine.dispose()
