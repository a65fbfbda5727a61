"""Small charts as inline SVG, drawn on the server: no script, readable on a phone."""

from __future__ import annotations

from html import escape

_PALETTE = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#c62828", "#5d4037", "#455a64", "#9e9d24"]


def bars(rows: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one row per label: works at any screen width."""
    if not rows:
        return ""
    top = max(value for _label, value in rows) or 1.0
    height = 22 * len(rows)
    parts = [f'<svg class="chart" viewBox="0 0 320 {height}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(rows):
        y = i * 22
        width = max(1.0, 180 * value / top)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="100" y="{y + 4}" width="{width:.1f}" height="14" fill="{_PALETTE[0]}"/>')
        shown = f"{value:,.0f}{escape(unit)}"
        parts.append(f'<text x="{104 + width:.1f}" y="{y + 15}" font-size="12">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_days(labels: list[str], series: dict[str, list[int]]) -> str:
    """Columns per day, stacked by series (topics), with a legend."""
    if not series:
        return ""
    days = len(labels)
    totals = [sum(values[i] for values in series.values()) for i in range(days)]
    top = max(totals) or 1
    width, plot = 320, 120
    step = width / days
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {plot + 40 + 16 * len(series)}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i in range(days):
        y = float(plot)
        for n, values in enumerate(series.values()):
            h = plot * values[i] / top
            y -= h
            colour = _PALETTE[n % len(_PALETTE)]
            x = i * step + 1
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
        if i % max(1, days // 7) == 0:
            parts.append(
                f'<text x="{i * step:.1f}" y="{plot + 14}" font-size="10">{escape(labels[i])}</text>'
            )
    for n, name in enumerate(series):
        y = plot + 32 + 16 * n
        parts.append(
            f'<rect x="0" y="{y - 10}" width="10" height="10" fill="{_PALETTE[n % len(_PALETTE)]}"/>'
        )
        parts.append(f'<text x="14" y="{y}" font-size="12">{escape(name)} ({sum(series[name])})</text>')
    parts.append("</svg>")
    return "".join(parts)
