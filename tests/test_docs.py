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


def test_every_console_text_is_in_the_template_and_in_hindi() -> None:
    templates = (PROJECT_ROOT / "bot" / "officer_console" / "templates").glob("*.html")
    used = {m for path in templates for m in re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', path.read_text("utf-8"))}
    with (TRANSLATIONS_DIR / "console.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert used <= template, sorted(used - template)
    with (TRANSLATIONS_DIR / "hi" / "LC_MESSAGES" / "console.po").open("rb") as handle:
        hindi = {m.id: m.string for m in read_po(handle) if m.id}
    assert [m for m in template if not hindi.get(m)] == []
