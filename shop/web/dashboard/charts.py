"""Charts drawn on the server as SVG, so they need no JavaScript and print as they show. Each has a title and a
description for screen readers, and the page puts the same figures in a table beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, BAR_AREA_LEFT, TOP, BOTTOM = 640, 150, 28, 26
ROW = 30


@dataclass(frozen=True)
class Reference:
    """A labelled line across the chart (the minimum wage, a target)."""

    label: str
    value: int


def marker(number: int, reference: Reference, references: Sequence[Reference]) -> str:
    """A lone reference line says what it is; several carry their number, explained in the legend below the
    chart, so their labels never overlap."""
    return reference.label if len(references) == 1 else str(number + 1)


def _scale(values: Sequence[int], references: Sequence[Reference]) -> int:
    top = max([*values, *(r.value for r in references), 1])
    return top


def _opening(chart_id: str, title: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]


def bars(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, int]],
    *,
    shown: Callable[[int], str] = str,
    references: Sequence[Reference] = (),
) -> Markup:
    """Horizontal bars, one a row, with the figure at the end of each and reference lines across."""
    top = _scale([v for _, v in rows], references)
    height = TOP + ROW * max(len(rows), 1) + BOTTOM
    span = WIDTH - BAR_AREA_LEFT - 140  # room for the figure after the longest bar
    parts = _opening(chart_id, title, height)
    for index, (label, value) in enumerate(rows):
        y = TOP + index * ROW
        length = round(span * max(value, 0) / top)
        parts.append(
            f'<text class="label" x="{BAR_AREA_LEFT - 8}" y="{y + 19}" text-anchor="end">{escape(label)}</text>'
        )
        parts.append(f'<rect class="bar" x="{BAR_AREA_LEFT}" y="{y + 5}" width="{length}" height="{ROW - 10}" rx="3"/>')
        parts.append(
            f'<text class="figure" x="{BAR_AREA_LEFT + length + 6}" y="{y + 19}">{escape(shown(value))}</text>'
        )
    for number, reference in enumerate(references):
        x = BAR_AREA_LEFT + round(span * reference.value / top)
        parts.append(f'<line class="reference r{number}" x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{height - BOTTOM + 4}"/>')
        parts.append(
            f'<text class="reference-label r{number}" x="{x}" y="{TOP - 10}" text-anchor="middle">'
            f"{escape(marker(number, reference, references))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


def columns(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, int]],
    *,
    shown: Callable[[int], str] = str,
    references: Sequence[Reference] = (),
) -> Markup:
    """Vertical columns over time (months, quarters), the figure above each, reference lines across."""
    height, left, bottom = 260, 12, 34
    top = _scale([v for _, v in points], references)
    slot = (WIDTH - left * 2) / max(len(points), 1)
    step = -(-len(points) // 9)  # at most nine labels along the bottom, so they never overlap
    area = height - TOP - bottom
    parts = _opening(chart_id, title, height)
    for index, (label, value) in enumerate(points):
        x = left + index * slot
        tall = round(area * max(value, 0) / top)
        y = TOP + area - tall
        parts.append(
            f'<rect class="bar" x="{x + slot * 0.15:.1f}" y="{y}" width="{slot * 0.7:.1f}" height="{tall}" rx="2"/>'
        )
        middle, below = f"{x + slot / 2:.1f}", height - bottom + 16
        if index % step == 0:
            parts.append(f'<text class="label" x="{middle}" y="{below}" text-anchor="middle">{escape(label)}</text>')
        if len(points) <= 12:
            parts.append(
                f'<text class="figure" x="{middle}" y="{y - 4}" text-anchor="middle">{escape(shown(value))}</text>'
            )
    for number, reference in enumerate(references):
        y = TOP + area - round(area * reference.value / top)
        parts.append(f'<line class="reference r{number}" x1="{left}" y1="{y}" x2="{WIDTH - left}" y2="{y}"/>')
        parts.append(
            f'<text class="reference-label r{number}" x="{WIDTH - left}" y="{y - 4}" text-anchor="end">'
            f"{escape(marker(number, reference, references))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)
