"""Documentation stays true: settings, UI text in every language, CLI commands in the README."""

from __future__ import annotations

import re

import click
import pytest
from babel.messages.pofile import read_po

from bot import ui_text
from bot.cli import main
from bot.config import PROJECT_ROOT, Settings
from bot.i18n import TRANSLATIONS_DIR
from bot.languages import SUPPORTED


def test_every_setting_is_in_env_example() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}
    for name in documented:  # each has its one-line comment just above
        assert re.search(rf"^# [^\n]+\n#?\s*{name}=", text, re.MULTILINE), name


def test_the_template_holds_exactly_the_ui_text() -> None:
    with (TRANSLATIONS_DIR / "kisanbot.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert template == set(ui_text.ALL)


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED if lang != "en"])
def test_every_ui_string_exists_in_every_language(language: str) -> None:
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "kisanbot.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    for message in ui_text.ALL:
        assert translated.get(message), f"{language} lacks {message!r}"
        assert ("%(cards)s" in message) == ("%(cards)s" in str(translated[message]))


def _commands(group: click.Group, prefix: str = "kisanbot") -> list[str]:
    found = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, full)
        else:
            found.append(full)
    return found


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [command for command in _commands(main) if command not in readme]
    assert missing == []


def test_the_readme_opens_with_the_two_commands() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make chat" in first_block and "make test" in first_block
