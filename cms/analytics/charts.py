"""Geometry of the server-rendered SVG charts: no JavaScript, no external assets. The template
draws what these return; the same numbers are in a table beside every chart for screen readers
and for anyone who needs exact values."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 240
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 48, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    series: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str


TICK_COUNT = 4


def nice_step(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above ``value``: a whole number per grid line."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def column_chart(points: list[dict], series: list[str], label_key: str, format_label) -> dict:
    """Grouped columns: one group per point, one column per series (e.g. downloads, views)."""
    plot_width = WIDTH - MARGIN_LEFT
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = nice_step(max((p[name] for p in points for name in series), default=0) / TICK_COUNT)
    top = step * TICK_COUNT
    group_width = plot_width / max(len(points), 1)
    column_width = max(group_width * 0.8 / len(series), 0.5)
    bars, x_labels = [], []
    # At most ~12 labels on the axis, whatever the number of groups.
    label_every = max(1, math.ceil(len(points) / 12))
    for index, point in enumerate(points):
        group_x = MARGIN_LEFT + index * group_width + group_width * 0.1
        label = format_label(point[label_key])
        for offset, name in enumerate(series):
            height = plot_height * point[name] / top
            bars.append(
                Bar(
                    x=round(group_x + offset * column_width, 2),
                    y=round(MARGIN_TOP + plot_height - height, 2),
                    width=round(column_width, 2),
                    height=round(height, 2),
                    value=point[name],
                    label=label,
                    series=name,
                )
            )
        if index % label_every == 0:
            x_labels.append(XLabel(x=round(group_x, 2), text=label))
    ticks = [
        Tick(y=round(MARGIN_TOP + plot_height * (1 - n / TICK_COUNT), 2), value=step * n)
        for n in range(TICK_COUNT + 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "x_labels": x_labels,
        "axis_x": MARGIN_LEFT,
        "baseline": MARGIN_TOP + plot_height,
        "label_y": HEIGHT - 8,
    }


def bar_list(rows, value_key: str, label_key: str) -> dict:
    """Horizontal bars for a ranking (top documents): widths relative to the first row."""
    rows = list(rows)
    top = max((row[value_key] for row in rows), default=0) or 1
    return {
        "rows": [
            {
                "label": row[label_key],
                "value": row[value_key],
                "percent": round(100 * row[value_key] / top, 1),
                "row": row,
            }
            for row in rows
        ]
    }
