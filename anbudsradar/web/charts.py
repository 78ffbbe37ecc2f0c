"""Server-side SVG charts: readable without JavaScript, escaped like every other page text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Series:
    """One bar per category: its name (legend) and CSS class (colour)."""

    name: str
    css_class: str


def grouped_bars(
    title: str, categories: Sequence[str], series: Sequence[Series], values: Sequence[Sequence[int]]
) -> Markup:
    """Return an SVG of horizontal grouped bars: `values[i][j]` is series j of category i."""
    bar, gap, label_width, chart_width, legend_height = 14, 10, 300, 420, 28
    group = bar * len(series) + gap
    height = legend_height + group * max(1, len(categories)) + 10
    top = max((v for row in values for v in row), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_width + chart_width + 60} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    x = label_width
    for j, s in enumerate(series):
        parts.append(f'<rect class="{escape(s.css_class)}" x="{x}" y="4" width="12" height="12"/>')
        parts.append(f'<text x="{x + 16}" y="14" class="legend">{escape(s.name)}</text>')
        x += 30 + 8 * len(s.name) if j < len(series) - 1 else 0
    for i, category in enumerate(categories):
        y = legend_height + i * group
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar * len(series) / 2 + 4:.0f}" text-anchor="end" '
            f'class="label">{escape(_short(category))}<title>{escape(category)}</title></text>'
        )
        for j, s in enumerate(series):
            value = values[i][j]
            width = round(chart_width * value / top)
            row_y = y + j * bar
            parts.append(
                f'<rect class="{escape(s.css_class)}" x="{label_width}" y="{row_y}" width="{width}" '
                f'height="{bar - 2}"><title>{escape(category)}: {escape(s.name)} {value}</title></rect>'
            )
            parts.append(
                f'<text x="{label_width + width + 4}" y="{row_y + bar - 4}" class="value">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _short(text: str, limit: int = 44) -> str:
    """Cut a label that would not fit, with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def network_drawing(nodes: Sequence[tuple[int, str]], edges: Sequence[tuple[int, int, str]]) -> Markup:
    """Return an SVG of the network: companies on a circle, links as lines (dashed for joint bids)."""
    size, radius = 640, 230
    centre = size / 2
    count = max(1, len(nodes))
    places: dict[int, tuple[float, float]] = {}
    for index, (node, _name) in enumerate(nodes):
        angle = 2 * math.pi * index / count - math.pi / 2
        places[node] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle))
    parts = [
        f'<svg class="network" role="img" viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg" '
        'aria-labelledby="network-title"><title id="network-title">Leverantörsnätverket</title>'
    ]
    for a, b, kind in edges:
        if a in places and b in places:
            (x1, y1), (x2, y2) = places[a], places[b]
            parts.append(
                f'<line class="link link-{escape(kind)}" '
                f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            )
    for node, name in nodes:
        x, y = places[node]
        anchor = "start" if x >= centre else "end"
        dx = 10 if x >= centre else -10
        parts.append(
            f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="7"><title>{escape(name)}</title></circle>'
        )
        parts.append(
            f'<text class="node-label" x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">'
            f"{escape(_short(name, 28))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()
