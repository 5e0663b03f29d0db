"""Plots drawn on the server as SVG: no script, no CDN, nothing for a strict CSP to allow.

Every number drawn is one the page shows (hidden or rounded by insights/counts.py): a plot never
tells more than its table. Colours and fonts come from insights.css through class names (an inline
`style` would need 'unsafe-inline'). Each plot is an image with a title for screen readers; the table under it on
the page holds the same numbers.
"""

from __future__ import annotations

from html import escape
from typing import List, Optional, Sequence, Tuple

WIDTH = 720


def _nice_top(value: int) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at least the value."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if m * magnitude >= value:
                return m * magnitude
        magnitude *= 10


def _ticks(top: int) -> List[int]:
    """Four or five round steps up to the top."""
    step = 1 if top <= 5 else top // 4 if str(top)[0] == "2" else top // 5
    return list(range(0, top + 1, step))


def weeks_chart(title_id: str, title: str, weeks: Sequence[Tuple[str, Optional[int]]], hidden: str) -> str:
    """Conversations per week, one bar a week (each week its own fixed period); a hidden week gets a
    grey stub, the same for none and for a few."""
    height, left, bottom, top_pad = 260, 48, 40, 16
    plot_w, plot_h = WIDTH - left - 12, height - bottom - top_pad
    top = _nice_top(max([c or 0 for _, c in weeks] + [1]))
    n = max(len(weeks), 1)
    slot = plot_w / n
    bar = max(min(slot * 0.6, 40), 0.8)
    parts = [f'<svg class="plot" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id}">',
             f'<title id="{title_id}">{escape(title)}</title>']
    for tick in _ticks(top):
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(f'<line class="grid" x1="{left}" x2="{WIDTH - 12}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    every = max(1, round(n / 8))
    base = top_pad + plot_h
    for i, (label, conversations) in enumerate(weeks):
        x = left + i * slot + (slot - bar) / 2
        if conversations is None:
            parts.append(f'<rect class="hidden" x="{x:.1f}" y="{base - 3:.1f}" width="{bar:.1f}" height="3"/>')
        else:
            h = plot_h * conversations / top
            parts.append(f'<rect class="conv" x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}"/>')
        if i % every == 0:
            parts.append(f'<text class="axis" x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    legend_y = height - 8
    parts += [f'<rect class="conv" x="{left}" y="{legend_y - 10}" width="12" height="12"/>',
              f'<text class="axis" x="{left + 18}" y="{legend_y}">conversations in the week starting</text>',
              f'<rect class="hidden" x="{left + 300}" y="{legend_y - 4}" width="12" height="3"/>',
              f'<text class="axis" x="{left + 318}" y="{legend_y}">hidden ({escape(hidden)} conversations)</text>',
              "</svg>"]
    return "".join(parts)


def bars_chart(title_id: str, title: str, rows: Sequence[Tuple[str, Optional[int]]], hidden: str) -> str:
    """One horizontal bar per row (the number of conversations); a hidden number is written, not drawn."""
    label_w, row_h, pad = 230, 26, 8
    height = pad * 2 + row_h * max(len(rows), 1)
    highest = max([v or 0 for _, v in rows] + [1])
    plot_w = WIDTH - label_w - 60
    parts = [f'<svg class="plot" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id}">',
             f'<title id="{title_id}">{escape(title)}</title>']
    for i, (name, value) in enumerate(rows):
        y = pad + i * row_h
        short = name if len(name) <= 34 else name[:33] + "…"
        parts.append(f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text class="axis" x="{label_w + 4}" y="{y + 17}">{escape(hidden)}</text>')
            continue
        w = max(plot_w * value / highest, 1)
        parts.append(f'<rect class="conv" x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}"/>')
        parts.append(f'<text class="axis" x="{label_w + w + 6:.1f}" y="{y + 17}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
