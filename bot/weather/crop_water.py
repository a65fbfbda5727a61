"""How much water a crop uses: FAO-56's single crop coefficient, by growth stage from the sowing date.

Crop water use (ETc) = reference evapotranspiration (ET0) × Kc. Kc is flat in the initial stage,
rises linearly through development to the mid-season value, and falls linearly to the end value
through the late season (FAO-56, chapter 6)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

#: Rain below this in a day wets only the surface and evaporates (FAO-56 practice for light rain).
LIGHT_RAIN_MM = 5.0
#: Share of the rain above that which the root zone keeps (the rest runs off or drains).
RAIN_EFFICIENCY = 0.8
LITRES_PER_MM_HECTARE = 10_000  # 1 mm over 1 m² is 1 litre


@dataclass(frozen=True)
class CropCoefficient:
    kc_ini: float
    kc_mid: float
    kc_end: float
    l_ini: int
    l_dev: int
    l_mid: int
    l_late: int

    @property
    def season_days(self) -> int:
        return self.l_ini + self.l_dev + self.l_mid + self.l_late

    def at(self, days_after_sowing: int) -> float | None:
        """Kc on a day of the season; None before sowing or after the season (nothing to water)."""
        d = days_after_sowing
        if d < 0 or d > self.season_days:
            return None
        if d <= self.l_ini:
            return self.kc_ini
        d -= self.l_ini
        if d <= self.l_dev:
            return self.kc_ini + (self.kc_mid - self.kc_ini) * d / self.l_dev
        d -= self.l_dev
        if d <= self.l_mid:
            return self.kc_mid
        d -= self.l_mid
        return self.kc_mid + (self.kc_end - self.kc_mid) * d / self.l_late


def load_coefficients(knowledge_dir: Path) -> dict[str, CropCoefficient]:
    raw = yaml.safe_load((knowledge_dir / "crop_coefficients.yaml").read_text(encoding="utf-8"))
    table = {}
    for crop, entry in raw.items():
        kc_ini, kc_mid, kc_end = (float(v) for v in entry["kc"])
        l_ini, l_dev, l_mid, l_late = (int(v) for v in entry["days"])
        table[crop] = CropCoefficient(kc_ini, kc_mid, kc_end, l_ini, l_dev, l_mid, l_late)
    return table


def effective_rain(rain_mm: float) -> float:
    """The part of a day's rain the crop can use."""
    return max(0.0, rain_mm - LIGHT_RAIN_MM) * RAIN_EFFICIENCY


def litres(mm: float, hectares: float) -> float:
    return mm * hectares * LITRES_PER_MM_HECTARE
