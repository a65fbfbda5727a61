"""The database: Alembic owns the schema, SQLite is set up for a busy bot, erasure cascades."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from bot.storage import database
from bot.storage.models import Base, CropPlan, Farmer, Message

TABLES = {
    "farmer",
    "crop_plan",
    "message",
    "inbox",
    "outbox",
    "tip_log",
    "officer",
    "officer_session",
    "login_attempt",
    "audit_log",
    "verified_answer",
    "feedback",
    "review",
    "erasure",
    "alembic_version",
}


def url_for(folder: Path) -> str:
    return f"sqlite:///{folder / 'kisanbot.db'}"


def test_upgrade_creates_every_table_in_a_blank_database(tmp_path: Path) -> None:
    url = url_for(tmp_path)
    database.upgrade(url)
    assert set(inspect(database.make_engine(url)).get_table_names()) == TABLES
    assert database.current_revision(url) is not None


def test_downgrade_to_base_then_upgrade_again(tmp_path: Path) -> None:
    url = url_for(tmp_path)
    database.upgrade(url)
    database.downgrade(url, "base")
    assert set(inspect(database.make_engine(url)).get_table_names()) == {"alembic_version"}
    database.upgrade(url)
    assert set(inspect(database.make_engine(url)).get_table_names()) == TABLES


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    url = url_for(tmp_path)
    database.upgrade(url)
    with database.make_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    url = url_for(tmp_path)
    database.upgrade(url)
    with database.make_engine(url, busy_timeout_ms=1234).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234


def test_erasing_a_farmer_erases_their_messages_and_crops(tmp_path: Path) -> None:
    url = url_for(tmp_path)
    database.upgrade(url)
    sessions = database.session_factory(database.make_engine(url))
    with sessions.begin() as session:
        farmer = Farmer(channel="cli", channel_user_id="asha")
        session.add(farmer)
        session.flush()
        question = Message(farmer_id=farmer.id, role="farmer", text="धान")
        session.add(question)
        session.flush()
        session.add(Message(farmer_id=farmer.id, role="bot", text="...", reply_to_id=question.id))
        session.add(CropPlan(farmer_id=farmer.id, crop="rice"))
    with sessions.begin() as session:
        session.execute(text("DELETE FROM farmer"))  # raw SQL: the database itself must cascade
    with sessions.begin() as session:
        assert session.scalars(select(Message)).all() == []
        assert session.scalars(select(CropPlan)).all() == []
