"""What the forecast means for a farm, as numbers: every figure in a tip comes from here, never
from a language model. Thresholds are the usual ones of agromet advisories (IMD, FAO)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge import Card
from bot.weather.crop_water import CropCoefficient, effective_rain
from bot.weather.forecast import Day

#: A day with this much rain (or this much at this chance) washes off sprays and fertilizer.
HEAVY_RAIN_MM = 20.0
LIKELY_RAIN_MM, LIKELY_CHANCE = 10.0, 70.0
#: Dry spell: under this much rain over the next 3 days while the air draws this much water a day.
DRY_RAIN_MM, DRY_ET0_MM = 5.0, 4.0
WATER_DAYS = 3
HEAT_C = 38.0
COLD_C = 5.0
#: Spray drift: no spraying above this wind or these gusts.
WIND_KMH, GUSTS_KMH = 20.0, 40.0
#: A spraying day: dry, unlikely rain, calm.
SPRAY_RAIN_MM, SPRAY_CHANCE, SPRAY_WIND_KMH, SPRAY_GUSTS_KMH = 1.0, 40.0, 15.0, 25.0
SPRAY_LOOKAHEAD = 5
#: Fungal and bacterial diseases spread in humid, mild-to-warm weather.
HUMID_PCT, HUMID_T_LOW, HUMID_T_HIGH = 80.0, 15.0, 30.0
_HUMID_WORDS = re.compile(r"humid|wet weather|leaf wetness|dew|cloudy|drizzle|rainy", re.IGNORECASE)


@dataclass(frozen=True)
class CropPlanView:
    crop: str
    sown_on: dt.date | None
    area_ha: float | None


@dataclass(frozen=True)
class HeavyRain:
    day: int  # 0 = today
    rain_mm: float


@dataclass(frozen=True)
class Irrigation:
    crop: str
    days_after_sowing: int
    need_mm: float
    area_ha: float | None


@dataclass(frozen=True)
class DryNoStage:
    et0_mm_per_day: float


@dataclass(frozen=True)
class Heat:
    day: int
    t_max: float


@dataclass(frozen=True)
class Cold:
    day: int
    t_min: float


@dataclass(frozen=True)
class Wind:
    wind_kmh: float


@dataclass(frozen=True)
class DiseaseRisk:
    card_ids: tuple[str, ...]


@dataclass(frozen=True)
class SprayWindow:
    day: int | None  # None: no good day in the look-ahead


Advice = HeavyRain | Irrigation | DryNoStage | Heat | Cold | Wind | DiseaseRisk | SprayWindow


def advise(
    days: Sequence[Day],
    today: dt.date,
    plans: Sequence[CropPlanView],
    coefficients: dict[str, CropCoefficient],
    cards: Sequence[Card],
) -> list[Advice]:
    """The advice for `days` (starting today), most urgent first; the spray window comes last."""
    advice: list[Advice] = []
    advice += _heavy_rain(days)
    advice += _water(days, today, plans, coefficients)
    advice += _heat_and_cold(days)
    if days and (days[0].wind_max >= WIND_KMH or days[0].gusts_max >= GUSTS_KMH):
        advice.append(Wind(max(days[0].wind_max, days[0].gusts_max)))
    advice += _disease(days, plans, cards)
    advice.append(_spray_window(days))
    return advice


def _heavy_rain(days: Sequence[Day]) -> list[Advice]:
    for i, day in enumerate(days[:2]):
        likely = day.rain_mm >= LIKELY_RAIN_MM and day.rain_chance >= LIKELY_CHANCE
        if day.rain_mm >= HEAVY_RAIN_MM or likely:
            return [HeavyRain(i, day.rain_mm)]
    return []


def _water(
    days: Sequence[Day], today: dt.date, plans: Sequence[CropPlanView], table: dict[str, CropCoefficient]
) -> list[Advice]:
    window = days[:WATER_DAYS]
    if len(window) < WATER_DAYS:
        return []
    rain = sum(d.rain_mm for d in window)
    et0 = sum(d.et0_mm for d in window) / len(window)
    if rain >= DRY_RAIN_MM or et0 < DRY_ET0_MM:
        return []
    needs: list[Advice] = []
    for plan in plans:
        coefficient = table.get(plan.crop)
        if coefficient is None or plan.sown_on is None:
            continue
        das = (today - plan.sown_on).days
        use = [coefficient.at(das + i) for i in range(len(window))]
        if any(kc is None for kc in use):
            continue  # not sown yet, or past harvest
        crop_use = sum(d.et0_mm * (kc or 0.0) for d, kc in zip(window, use, strict=True))
        need = max(0.0, crop_use - sum(effective_rain(d.rain_mm) for d in window))
        if need > 0:
            needs.append(Irrigation(plan.crop, das, need, plan.area_ha))
    return needs or [DryNoStage(et0)]


def _heat_and_cold(days: Sequence[Day]) -> list[Advice]:
    found: list[Advice] = []
    heat = next((i for i, d in enumerate(days[:2]) if d.t_max >= HEAT_C), None)
    if heat is not None:
        found.append(Heat(heat, days[heat].t_max))
    cold = next((i for i, d in enumerate(days[:2]) if d.t_min <= COLD_C), None)
    if cold is not None:
        found.append(Cold(cold, days[cold].t_min))
    return found


def _disease(days: Sequence[Day], plans: Sequence[CropPlanView], cards: Sequence[Card]) -> list[Advice]:
    crops = {p.crop for p in plans}
    humid = any(
        d.humidity >= HUMID_PCT and HUMID_T_LOW <= (d.t_max + d.t_min) / 2 <= HUMID_T_HIGH for d in days[:2]
    )
    if not humid or not crops:
        return []
    ids = tuple(
        c.id for c in cards if c.topic == "pest" and crops & set(c.crops) and _HUMID_WORDS.search(c.body)
    )
    return [DiseaseRisk(ids[:4])] if ids else []


def _spray_window(days: Sequence[Day]) -> SprayWindow:
    for i, d in enumerate(days[:SPRAY_LOOKAHEAD]):
        calm = d.wind_max < SPRAY_WIND_KMH and d.gusts_max < SPRAY_GUSTS_KMH
        if d.rain_mm < SPRAY_RAIN_MM and d.rain_chance < SPRAY_CHANCE and calm:
            return SprayWindow(i)
    return SprayWindow(None)
