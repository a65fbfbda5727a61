"""Weather advice in the farmer's language: gettext templates filled with the rules' numbers,
formatted for the farmer's locale. The same text serves the morning tip and a weather question."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal

from bot import ui_text
from bot.crop_names import CropNames
from bot.i18n import Translator
from bot.knowledge import Card, load_cards
from bot.weather.crop_water import CropCoefficient, litres, load_coefficients
from bot.weather.forecast import Day, Forecast
from bot.weather.rules import (
    Advice,
    Cold,
    CropPlanView,
    DiseaseRisk,
    DryNoStage,
    Heat,
    HeavyRain,
    Irrigation,
    SprayWindow,
    Wind,
    advise,
)

#: Days shown in an answer to a weather question.
QUESTION_DAYS = 3


class Stale(Exception):
    """The forecast is too old, or does not cover today: no tip rather than a wrong one."""


class TipWriter:
    """`TipWriter.load(knowledge_dir, translator).tip(...)` → the text of one morning tip."""

    def __init__(
        self,
        translator: Translator,
        crop_names: CropNames,
        coefficients: dict[str, CropCoefficient],
        cards: Sequence[Card],
    ) -> None:
        self._say = translator.text
        self._crop_names = crop_names
        self._coefficients = coefficients
        self._cards = {c.id: c for c in cards}

    @classmethod
    def load(cls, knowledge_dir: Path, translator: Translator) -> TipWriter:
        return cls(
            translator,
            CropNames(knowledge_dir / "lexicon"),
            load_coefficients(knowledge_dir),
            load_cards(knowledge_dir),
        )

    def advice(self, forecast: Forecast, today: dt.date, plans: Sequence[CropPlanView]) -> list[Advice]:
        days = forecast.from_day(today)
        if not days or days[0].date != today:
            raise Stale(f"the forecast does not cover {today}")
        return advise(days, today, plans, self._coefficients, list(self._cards.values()))

    def tip(
        self,
        language: str,
        forecast: Forecast,
        today: dt.date,
        plans: Sequence[CropPlanView],
        now: dt.datetime,
        max_age: dt.timedelta,
    ) -> tuple[str, list[str]]:
        """The morning tip and the kinds of advice in it; Stale when the forecast is too old."""
        if now - forecast.fetched_at > max_age:
            raise Stale(f"the forecast is {now - forecast.fetched_at} old")
        advice = self.advice(forecast, today, plans)
        days = forecast.from_day(today)
        lines = [self._say(language, ui_text.TIP_HEADER, date=_date(today, language))]
        lines.append(self._day_line(language, days, 0))
        lines += self._advice_lines(language, days, advice)
        lines.append("— " + self._say(language, ui_text.TIP_LABEL))
        return "\n".join(lines), [type(a).__name__ for a in advice]

    def answer(self, language: str, forecast: Forecast, today: dt.date, plans: Sequence[CropPlanView]) -> str:
        """The answer to "will it rain tomorrow?": the next days, then what they mean for the farm."""
        advice = self.advice(forecast, today, plans)
        days = forecast.from_day(today)
        lines = [self._say(language, ui_text.WEATHER_HEADER)]
        lines += [self._day_line(language, days, i) for i in range(min(QUESTION_DAYS, len(days)))]
        lines.append("")
        lines += self._advice_lines(language, days, advice)
        lines.append("— " + self._say(language, ui_text.TIP_LABEL))
        return "\n".join(lines)

    def _day_line(self, language: str, days: Sequence[Day], i: int) -> str:
        d = days[i]
        return self._say(
            language,
            ui_text.WEATHER_DAY,
            day=self._day_name(language, days, i),
            t_min=_number(d.t_min, language, 0),
            t_max=_number(d.t_max, language, 0),
            rain=_number(d.rain_mm, language, 1),
            chance=_number(d.rain_chance, language, 0),
            wind=_number(d.wind_max, language, 0),
        )

    def _advice_lines(self, language: str, days: Sequence[Day], advice: Sequence[Advice]) -> list[str]:
        lines = [line for a in advice if (line := self._line(language, days, a))]
        risks = [a for a in advice if not isinstance(a, SprayWindow)]
        if not risks:
            lines.insert(0, self._say(language, ui_text.TIP_NO_RISK))
        return ["• " + line for line in lines]

    def _line(self, language: str, days: Sequence[Day], advice: Advice) -> str:
        say = self._say
        day = self._day_name
        match advice:
            case HeavyRain(i, rain):
                rain_text = _number(rain, language, 0)
                return say(language, ui_text.TIP_HEAVY_RAIN, day=day(language, days, i), rain=rain_text)
            case Irrigation(crop, das, need, area):
                text = say(
                    language,
                    ui_text.TIP_IRRIGATION,
                    crop=_in_sentence(self._crop_names.name(crop, language), language),
                    days=_number(das, language, 0),
                    mm=_number(need, language, 0 if need >= 10 else 1),
                )
                if area:
                    amount = round(litres(need, area), -2)
                    text += " " + say(
                        language,
                        ui_text.TIP_IRRIGATION_AREA,
                        area=_number(area, language, 2),
                        litres=_number(amount, language, 0),
                    )
                return text
            case DryNoStage(et0):
                return say(language, ui_text.TIP_DRY_NO_STAGE, mm=_number(et0, language, 1))
            case Heat(i, t_max):
                hot = _number(t_max, language, 0)
                return say(language, ui_text.TIP_HEAT, day=day(language, days, i), t_max=hot)
            case Cold(i, t_min):
                cold = _number(t_min, language, 0)
                return say(language, ui_text.TIP_COLD, day=day(language, days, i), t_min=cold)
            case Wind(wind):
                return say(language, ui_text.TIP_WIND, wind=_number(wind, language, 0))
            case DiseaseRisk(card_ids):
                names = ", ".join(self._cards[c].title_in(language) for c in card_ids)
                return say(language, ui_text.TIP_DISEASE, diseases=names)
            case SprayWindow(None):
                return say(language, ui_text.TIP_NO_SPRAY_WINDOW)
            case SprayWindow(i):
                assert i is not None
                return say(language, ui_text.TIP_SPRAY_WINDOW, day=day(language, days, i))
        raise AssertionError(advice)

    def _day_name(self, language: str, days: Sequence[Day], i: int) -> str:
        if i == 0:
            return self._say(language, ui_text.DAY_TODAY)
        if i == 1:
            return self._say(language, ui_text.DAY_TOMORROW)
        name = format_date(days[i].date, format="EEEE d MMM", locale=language)
        return name[:1].upper() + name[1:]


#: Languages whose script has capitals: a crop name inside a sentence starts in lower case there.
_CASED = {"en", "es", "fr", "pt", "sw"}


def _in_sentence(name: str, language: str) -> str:
    return name[:1].lower() + name[1:] if language in _CASED else name


def _number(value: float, language: str, decimals: int) -> str:
    """Rounded here, grouped and pointed the locale's way (Hindi writes 1,06,200; Spanish 0,5)."""
    rounded = round(value, decimals) if decimals else round(value)
    return format_decimal(rounded + 0, locale=language)


def _date(day: dt.date, language: str) -> str:
    return format_date(day, format="medium", locale=language)
