"""Tip rules and their text: each rule's numbers, in several languages, formatted for the locale."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from tests_support import KNOWLEDGE_DIR

from bot import ui_text
from bot.i18n import Translator
from bot.weather.crop_water import load_coefficients
from bot.weather.forecast import Day, Forecast
from bot.weather.rules import CropPlanView, DryNoStage, HeavyRain, Irrigation, SprayWindow
from bot.weather.tips import Stale, TipWriter

TODAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 1, 0)
FRESH = dt.timedelta(hours=3)
LANGUAGES = ["en", "hi", "te", "sw", "es"]


def day(i: int, **values: float) -> Day:
    mild = {
        "rain_mm": 0.0,
        "rain_chance": 5.0,
        "t_max": 29.0,
        "t_min": 18.0,
        "wind_max": 8.0,
        "gusts_max": 14.0,
        "humidity": 55.0,
        "et0_mm": 3.0,
    }
    return Day(TODAY + dt.timedelta(days=i), **(mild | values))  # type: ignore[arg-type]


def forecast(*changes: dict[str, float], fetched: dt.datetime = NOW) -> Forecast:
    days = [day(i, **(changes[i] if i < len(changes) else {})) for i in range(7)]
    return Forecast(21.1, 79.1, "Asia/Kolkata", fetched, tuple(days))


@pytest.fixture(scope="module")
def writer(translator: Translator) -> TipWriter:
    return TipWriter.load(KNOWLEDGE_DIR, translator)


def tip(writer: TipWriter, language: str, f: Forecast, plans: list[CropPlanView] | None = None) -> str:
    return writer.tip(language, f, TODAY, plans or [], NOW, FRESH)[0]


def test_the_crop_coefficient_follows_the_growth_stages() -> None:
    tomato = load_coefficients(KNOWLEDGE_DIR)["tomato"]  # FAO-56: 0.6 / 1.15 / 0.8, 30+40+45+30 days
    assert tomato.at(10) == 0.6
    assert tomato.at(50) == pytest.approx(0.6 + 0.55 * 20 / 40)
    assert tomato.at(100) == 1.15
    assert tomato.at(130) == pytest.approx(1.15 - 0.35 * 15 / 30)
    assert tomato.at(-1) is None and tomato.at(146) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_heavy_rain_tomorrow_says_postpone_spraying_and_see_to_drainage(
    writer: TipWriter, translator: Translator, language: str
) -> None:
    f = forecast({}, {"rain_mm": 32.4, "rain_chance": 90})
    assert HeavyRain(1, 32.4) in writer.advice(f, TODAY, [])
    say = translator.text
    expected = say(language, ui_text.TIP_HEAVY_RAIN, day=say(language, ui_text.DAY_TOMORROW), rain="32")
    assert expected in tip(writer, language, f)


def test_likely_moderate_rain_counts_as_heavy_but_unlikely_does_not(writer: TipWriter) -> None:
    assert HeavyRain(0, 12) in writer.advice(forecast({"rain_mm": 12, "rain_chance": 80}), TODAY, [])
    advice = writer.advice(forecast({"rain_mm": 12, "rain_chance": 30}), TODAY, [])
    assert not any(isinstance(a, HeavyRain) for a in advice)


DRY_HOT = ({"et0_mm": 6.2}, {"et0_mm": 6.0}, {"et0_mm": 5.8})


def test_the_irrigation_need_is_et0_times_kc_less_effective_rain(writer: TipWriter) -> None:
    cotton = CropPlanView("cotton", TODAY - dt.timedelta(days=87), 0.5)  # mid-season: Kc 1.18
    [need] = [a for a in writer.advice(forecast(*DRY_HOT), TODAY, [cotton]) if isinstance(a, Irrigation)]
    assert need.need_mm == pytest.approx(1.18 * (6.2 + 6.0 + 5.8))
    assert (need.crop, need.days_after_sowing, need.area_ha) == ("cotton", 87, 0.5)
    young = CropPlanView("cotton", TODAY - dt.timedelta(days=10), None)  # initial stage: Kc 0.35
    [early] = [a for a in writer.advice(forecast(*DRY_HOT), TODAY, [young]) if isinstance(a, Irrigation)]
    assert early.need_mm == pytest.approx(0.35 * 18.0)


def test_a_little_rain_does_not_end_a_dry_spell_but_its_useful_part_is_subtracted(writer: TipWriter) -> None:
    wheat = CropPlanView("wheat", TODAY - dt.timedelta(days=60), None)  # mid-season: Kc 1.15
    days = ({"et0_mm": 6.0}, {"et0_mm": 6.0, "rain_mm": 4.5}, {"et0_mm": 6.0})
    [need] = [a for a in writer.advice(forecast(*days), TODAY, [wheat]) if isinstance(a, Irrigation)]
    assert need.need_mm == pytest.approx(1.15 * 18.0)  # 4.5 mm is under the 5 mm that counts
    wet = ({"et0_mm": 6.0, "rain_mm": 12.0}, {"et0_mm": 6.0}, {"et0_mm": 6.0})
    assert not any(
        isinstance(a, Irrigation | DryNoStage) for a in writer.advice(forecast(*wet), TODAY, [wheat])
    )


@pytest.mark.parametrize(
    ("language", "litres"), [("en", "106,200"), ("hi", "1,06,200"), ("es", "106.200"), ("sw", "106,200")]
)
def test_the_irrigation_tip_gives_mm_and_litres_for_the_farmers_area(
    writer: TipWriter, translator: Translator, language: str, litres: str
) -> None:
    cotton = CropPlanView("cotton", TODAY - dt.timedelta(days=87), 0.5)
    text = tip(writer, language, forecast(*DRY_HOT), [cotton])
    say = translator.text
    crop = writer._crop_names.name("cotton", language)
    crop = crop.lower() if language in ("en", "es", "sw") else crop  # inside a sentence
    assert say(language, ui_text.TIP_IRRIGATION, crop=crop, days="87", mm="21") in text
    area = "0,5" if language == "es" else "0.5"
    assert say(language, ui_text.TIP_IRRIGATION_AREA, area=area, litres=litres) in text


def test_without_a_sowing_date_the_tip_gives_the_days_water_loss_and_asks_for_it(
    writer: TipWriter, translator: Translator
) -> None:
    text = tip(writer, "te", forecast(*DRY_HOT), [CropPlanView("cotton", None, None)])
    assert translator.text("te", ui_text.TIP_DRY_NO_STAGE, mm="6") in text
    assert "/crops" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_heat_cold_and_wind(writer: TipWriter, translator: Translator, language: str) -> None:
    say = translator.text
    text = tip(writer, language, forecast({"t_max": 41.3, "wind_max": 18, "gusts_max": 46}, {"t_min": 3.6}))
    today, tomorrow = say(language, ui_text.DAY_TODAY), say(language, ui_text.DAY_TOMORROW)
    assert say(language, ui_text.TIP_HEAT, day=today, t_max="41") in text
    assert say(language, ui_text.TIP_COLD, day=tomorrow, t_min="4") in text
    assert say(language, ui_text.TIP_WIND, wind="46") in text


@pytest.mark.parametrize("language", ["en", "hi", "sw"])
def test_warm_humid_weather_names_the_diseases_of_the_farmers_crops(
    writer: TipWriter, translator: Translator, language: str
) -> None:
    humid = forecast({"humidity": 88, "t_max": 27, "t_min": 19})
    text = tip(writer, language, humid, [CropPlanView("potato", None, None)])
    blight = writer._cards["late-blight-potato-tomato"].title_in(language)
    assert blight in text
    assert translator.text(language, ui_text.TIP_DISEASE, diseases="").split(":")[0] in text
    assert blight not in tip(writer, language, humid, [])  # no crops known: no guessing
    assert blight not in tip(writer, language, forecast(), [CropPlanView("potato", None, None)])


@pytest.mark.parametrize(
    ("language", "weekday"), [("en", "Monday 30 Nov"), ("fr", "Lundi 30 nov."), ("hi", "सोमवार 30 नव॰")]
)
def test_the_next_dry_calm_spraying_day_is_named_in_the_farmers_language(
    writer: TipWriter, translator: Translator, language: str, weekday: str
) -> None:
    wet_windy = ({"rain_mm": 6}, {"wind_max": 22}, {"rain_chance": 60})
    f = forecast(*wet_windy)
    assert writer.advice(f, TODAY, [])[-1] == SprayWindow(3)
    assert translator.text(language, ui_text.TIP_SPRAY_WINDOW, day=weekday) in tip(writer, language, f)
    never = forecast(*[{"rain_mm": 3}] * 7)
    assert translator.text(language, ui_text.TIP_NO_SPRAY_WINDOW) in tip(writer, language, never)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_quiet_day_still_gets_a_whole_tip(writer: TipWriter, translator: Translator, language: str) -> None:
    say = translator.text
    text = tip(writer, language, forecast())
    lines = text.splitlines()
    assert lines[0] == say(language, ui_text.TIP_HEADER, date=format_date(TODAY, "medium", locale=language))
    assert say(language, ui_text.TIP_NO_RISK) in text
    assert lines[1] == say(
        language,
        ui_text.WEATHER_DAY,
        day=say(language, ui_text.DAY_TODAY),
        t_min="18",
        t_max="29",
        rain="0",
        chance="5",
        wind="8",
    )
    assert lines[-1] == "— " + say(language, ui_text.TIP_LABEL)


def test_a_stale_forecast_gives_no_tip(writer: TipWriter) -> None:
    with pytest.raises(Stale):
        writer.tip("en", forecast(fetched=NOW - dt.timedelta(hours=4)), TODAY, [], NOW, FRESH)
    with pytest.raises(Stale):  # fetched in time, but its days end before today
        writer.tip("en", forecast(), TODAY + dt.timedelta(days=8), [], NOW, FRESH)
