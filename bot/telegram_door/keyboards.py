"""Buttons: reply markups as Telegram JSON (stored in the outbox) and the callback data they carry.

Callback data must fit 64 bytes, so it is short ASCII: `fb:up:123`, `lang:hi:s`, `sow:7:14`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot import ui_text
from bot.feedback import REASONS
from bot.languages import NATIVE_NAMES

Say = Callable[..., str]
Markup = dict[str, Any]

#: Days before today that each sowing button stands for (None: not sown yet).
SOWING_CHOICES: tuple[tuple[str, int | None], ...] = (
    (ui_text.SOWN_THIS_WEEK, 3),
    (ui_text.SOWN_TWO_WEEKS, 14),
    (ui_text.SOWN_ONE_MONTH, 30),
    (ui_text.SOWN_TWO_MONTHS, 60),
    (ui_text.SOWN_THREE_MONTHS, 90),
    (ui_text.NOT_SOWN_YET, None),
)
REASON_TEXT = dict(
    zip(
        REASONS,
        (ui_text.REASON_WRONG, ui_text.REASON_UNCLEAR, ui_text.REASON_OFF_TOPIC, ui_text.REASON_LANGUAGE),
        strict=True,
    )
)


def _inline(rows: Sequence[Sequence[tuple[str, str]]]) -> Markup:
    keyboard = [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    return InlineKeyboardMarkup(keyboard).to_dict()


def _pairs(buttons: list[tuple[str, str]], per_row: int = 2) -> list[list[tuple[str, str]]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def languages(first: str | None, setup: bool) -> Markup:
    """All languages by their own names; the likely one first, ticked."""
    codes = sorted(NATIVE_NAMES, key=lambda code: code != first)
    suffix = ":s" if setup else ""
    buttons = [(("✓ " if c == first else "") + NATIVE_NAMES[c], f"lang:{c}{suffix}") for c in codes]
    return _inline(_pairs(buttons))


def share_location(say: Say) -> Markup:
    keyboard = [
        [KeyboardButton(say(ui_text.SHARE_LOCATION_BUTTON), request_location=True)],
        [KeyboardButton(say(ui_text.SKIP_BUTTON))],
    ]
    return ReplyKeyboardMarkup(keyboard, resize_keyboard=True, one_time_keyboard=True).to_dict()


def remove_keyboard() -> Markup:
    return ReplyKeyboardRemove().to_dict()


def crops(say: Say, choices: list[tuple[str, str]], done: bool) -> Markup:
    """`choices` are (crop id, local name); the last row skips or finishes."""
    buttons = [(name, f"crop:add:{crop}") for crop, name in choices]
    last = (
        (say(ui_text.DONE_BUTTON), "setup:crops_done")
        if done
        else (say(ui_text.SKIP_BUTTON), "setup:crops_done")
    )
    return _inline([*_pairs(buttons, 3), [last]])


def sowing(say: Say, plan_id: int) -> Markup:
    buttons = [
        (say(text), f"sow:{plan_id}:{'none' if days is None else days}") for text, days in SOWING_CHOICES
    ]
    return _inline(_pairs(buttons))


def tips(say: Say, times: list[str]) -> Markup:
    buttons = [(say(ui_text.TIPS_AT_BUTTON, time=t), f"tips:on:{t.replace(':', '')}") for t in times]
    return _inline([buttons, [(say(ui_text.TIPS_OFF_BUTTON), "tips:off")]])


def my_crops(say: Say, plans: list[tuple[int, str]]) -> Markup:
    buttons = [(f"❌ {name}", f"crop:rm:{plan_id}") for plan_id, name in plans]
    return _inline([*_pairs(buttons), [(say(ui_text.ADD_CROP_BUTTON), "crop:list")]])


def profile(say: Say) -> Markup:
    return _inline(
        [
            [(say(ui_text.LANGUAGE_BUTTON), "prof:lang"), (say(ui_text.PLACE_BUTTON), "prof:place")],
            [(say(ui_text.CROPS_BUTTON), "prof:crops"), (say(ui_text.TIPS_BUTTON), "prof:tips")],
            [(say(ui_text.FORGET_BUTTON), "prof:forget")],
        ]
    )


def forget(say: Say) -> Markup:
    return _inline([[(say(ui_text.FORGET_YES), "forget:yes")], [(say(ui_text.FORGET_NO), "forget:no")]])


def feedback(say: Say, answer_id: int) -> Markup:
    return _inline(
        [
            [("👍", f"fb:up:{answer_id}"), ("👎", f"fb:down:{answer_id}")],
            [(say(ui_text.ASK_EXPERT_BUTTON), f"fb:expert:{answer_id}")],
        ]
    )


def reasons(say: Say, answer_id: int) -> Markup:
    buttons = [(say(text), f"fb:why:{answer_id}:{code}") for code, text in REASON_TEXT.items()]
    return _inline(_pairs(buttons))


def from_json(
    markup: Markup | None,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """The PTB object for a stored markup."""
    if not markup:
        return None
    if "inline_keyboard" in markup:
        return InlineKeyboardMarkup.de_json(markup, None)
    if "keyboard" in markup:
        return ReplyKeyboardMarkup.de_json(markup, None)
    return ReplyKeyboardRemove(selective=markup.get("selective"))
