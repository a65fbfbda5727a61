"""The command line, run as a farmer or an officer would run it: real subprocesses, real database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support import run_kisanbot

KISANBOT = [sys.executable, "-m", "bot"]


def run(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_kisanbot(args, data_dir, stdin)


def test_db_upgrade_reports_the_revision(data_dir: Path) -> None:
    result = run(["db", "upgrade"], data_dir)
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    assert (data_dir / "kisanbot.db").exists()


def test_ask_json_answers_in_the_farmers_language(data_dir: Path) -> None:
    result = run(["ask", "Mahindi yangu yana viwavi jeshi", "--json"], data_dir)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["language"] == "sw"
    assert reply["topic"] == "pest"
    assert "maize-fall-armyworm" in reply["sources"]
    assert reply["reviewed"] is False


def test_chat_keeps_the_history_across_sessions(data_dir: Path) -> None:
    first = run(["chat", "--user", "ravi"], data_dir, stdin="when to sow wheat\n\n")
    assert first.returncode == 0, first.stderr
    assert "wheat" in first.stdout.lower()
    second = run(["chat", "--user", "ravi", "--lang", "hi"], data_dir, stdin="and how much water?\n")
    assert second.returncode == 0, second.stderr
    import sqlite3

    rows = sqlite3.connect(data_dir / "kisanbot.db").execute("SELECT role, language FROM message").fetchall()
    assert [role for role, _ in rows] == ["farmer", "bot", "farmer", "bot"]
    assert rows[-1][1] == "hi"


def test_inspect_writes_one_json_object_per_line(data_dir: Path) -> None:
    lines = ["kal barish hogi kya", "వరిలో పురుగు ఉంది", "", "🐛", "precio del café"] * 100
    result = run(["inspect"], data_dir, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 500
    assert set(records[0]) == {"language", "topic", "crops", "sources"}
    assert records[0]["language"] == "hi" and records[0]["topic"] == "weather"
    assert records[1]["language"] == "te" and "rice" in records[1]["crops"]
    assert records[4]["topic"] == "market" and records[4]["language"] == "es"
    assert all(len(r["sources"]) <= 5 for r in records)


def test_knowledge_commands(data_dir: Path) -> None:
    check = run(["knowledge", "check"], data_dir)
    assert check.returncode == 0, check.stderr
    search = run(["knowledge", "search", "धान में तना छेदक"], data_dir)
    assert "rice-stem-borer" in search.stdout.splitlines()[1]
    show = run(["knowledge", "show", "rice-stem-borer", "--lang", "en"], data_dir)
    assert "Stem borer" in show.stdout and "Sources:" in show.stdout
    missing = run(["knowledge", "show", "no-such-card"], data_dir)
    assert missing.returncode != 0 and "no card" in missing.stderr


@pytest.mark.parametrize("args", [["--help"], ["db", "--help"], ["knowledge", "--help"]])
def test_help_works(data_dir: Path, args: list[str]) -> None:
    assert run(args, data_dir).returncode == 0
