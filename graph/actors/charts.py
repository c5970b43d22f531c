"""Charts of a regional profile as SVG drawn on the server: no JavaScript, no library, no CDN.

Why SVG from Python rather than a vendored chart library: the region page must work in the
explorer (whose Content-Security-Policy allows no inline script) and as one offline file
(``clusterkg region --format html``) alike, and print. Three chart kinds are enough (bars by
year, bars by programme part, a collaboration diagram); each is a few dozen SVG elements whose
text is escaped here. Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``
(its text alternative), each bar or node has its own ``<title>`` (a tooltip with the exact
figure), and the page shows the same numbers in a data table beside it. Colours are the
Okabe-Ito palette (distinguishable with colour-blindness), set as SVG attributes (no inline
``style``, which the explorer's CSP forbids).

Examples
--------
>>> svg = bar_chart([("2015", [1.0, 2.0]), ("2016", [3.0, 0.0])], ["H2020", "HE"], title="t", desc="d")
>>> svg.startswith("<svg") and "<title" in svg and "<desc" in svg
True
>>> "<script" in bar_chart([("<script>", [1.0])], ["x"], title="<b>", desc="")
False
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["PALETTE", "bar_chart", "collaboration_map", "hbar_chart"]

#: Okabe-Ito colours.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_TEXT = "#222222"
_GRID = "#d0d0d0"
_ids = iter(range(1, 1 << 30))


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(x: float) -> str:
    """€1.2bn, €340m, €12k."""
    a = abs(x)
    if a >= 1e9:
        return f"€{x / 1e9:.1f}bn"
    if a >= 1e6:
        return f"€{x / 1e6:.0f}m" if a >= 1e7 else f"€{x / 1e6:.1f}m"
    if a >= 1e3:
        return f"€{x / 1e3:.0f}k"
    return f"€{x:.0f}"


def _nice(top: float) -> float:
    """A round axis maximum at or above ``top``."""
    if top <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(top))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= top:
            return m * exp
    return 10 * exp


def _head(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    tid, did = f"chart-t{n}", f"chart-d{n}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{tid} {did}" '
            f'font-family="system-ui, sans-serif" font-size="12">'
            f'<title id="{tid}">{_e(title)}</title><desc id="{did}">{_e(desc)}</desc>')
    return head, "</svg>"


def _legend(series: Sequence[str], x: float, y: float) -> list[str]:
    out = []
    for i, name in enumerate(series):
        yy = y + i * 18
        out.append(f'<rect x="{x:.1f}" y="{yy - 10:.1f}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{x + 18:.1f}" y="{yy:.1f}" fill="{_TEXT}">{_e(name)}</text>')
    return out


def bar_chart(groups: Sequence[tuple[str, Sequence[float]]], series: Sequence[str], *, title: str, desc: str,
              width: int = 640, height: int = 300, money: bool = True) -> str:
    """Stacked vertical bars: one bar per group (a year), one segment per series (a programme)."""
    head, tail = _head(width, height, title, desc)
    left, right, top, bottom = 64, 190, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    total = max((sum(v for v in vals if v) for _, vals in groups), default=0.0)
    ymax = _nice(total)
    parts = [head]
    for i in range(5):  # grid and axis labels
        val = ymax * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_GRID}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{_TEXT}">'
                     f'{_e(_short(val) if money else f"{val:,.0f}")}</text>')
    n = max(1, len(groups))
    slot = plot_w / n
    bw = max(4.0, min(48.0, slot * 0.7))
    for gi, (name, vals) in enumerate(groups):
        x = left + gi * slot + (slot - bw) / 2
        y = top + plot_h
        for si, v in enumerate(vals):
            if not v:
                continue
            h = plot_h * v / ymax
            y -= h
            exact = f"€{v:,.2f}" if money else f"{v:,.0f}"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[si % len(PALETTE)]}"><title>{_e(name)}, {_e(series[si])}: {_e(exact)}'
                         f'</title></rect>')
        step = 1 if slot >= 36 else 2 if slot >= 18 else 4  # labels that would overlap are thinned out
        if gi % step == 0 or gi == n - 1:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{_TEXT}">'
                         f'{_e(name)}</text>')
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{_TEXT}"/>')
    parts += _legend(series, left + plot_w + 16, top + 12)
    parts.append(tail)
    return "".join(parts)


def hbar_chart(rows: Sequence[tuple[str, float, str]], *, title: str, desc: str, width: int = 640,
               money: bool = True) -> str:
    """Horizontal bars, one per row ``(label, value, series name)``, coloured by series."""
    series: list[str] = []
    for _, _, s in rows:
        if s not in series:
            series.append(s)
    bar, gap, top = 16, 6, 8
    left, right = 250, 80
    height = top * 2 + len(rows) * (bar + gap) + 18 * len(series) + 10
    head, tail = _head(width, height, title, desc)
    plot_w = width - left - right
    vmax = max((v for _, v, _ in rows), default=0.0) or 1.0
    parts = [head]
    for i, (label, v, s) in enumerate(rows):
        y = top + i * (bar + gap)
        w = plot_w * (v or 0) / vmax
        short = label if len(label) <= 34 else label[:33] + "…"
        exact = f"€{v:,.2f}" if money else f"{v:,.0f}"
        parts.append(f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end" fill="{_TEXT}">{_e(short)}'
                     f'<title>{_e(label)}</title></text>'
                     f'<rect x="{left}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar}" '
                     f'fill="{PALETTE[series.index(s) % len(PALETTE)]}"><title>{_e(label)}: {_e(exact)}</title></rect>'
                     f'<text x="{left + w + 4:.1f}" y="{y + bar - 4}" fill="{_TEXT}">'
                     f'{_e(_short(v) if money else f"{v:,.0f}")}</text>')
    parts += _legend(series, left, top + len(rows) * (bar + gap) + 14)
    parts.append(tail)
    return "".join(parts)


def collaboration_map(centre: str, partners: Sequence[tuple[str, str, int]], *, title: str, desc: str,
                      size: int = 420) -> str:
    """The region in the middle, its partner regions around it (the most shared projects at the top,
    then clockwise); line width and circle area follow the number of shared projects."""
    head, tail = _head(size + 160, size, title, desc)
    cx, cy = (size + 160) / 2, size / 2
    radius = size / 2 - 48
    most = max((n for _, _, n in partners), default=1) or 1
    parts = [head]
    spots = []
    for i, (code, label, n) in enumerate(partners):
        ang = -math.pi / 2 + 2 * math.pi * i / max(1, len(partners))
        x, y = cx + radius * math.cos(ang), cy + radius * math.sin(ang)
        spots.append((x, y, code, label, n, ang))
        wline = 1 + 7 * n / most
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{PALETTE[4]}" '
                     f'stroke-width="{wline:.1f}" stroke-opacity="0.7"><title>{_e(label)} ({_e(code)}): '
                     f'{n:,} shared projects</title></line>')
    for x, y, code, label, n, ang in spots:
        r = 6 + 14 * math.sqrt(n / most)
        anchor = "start" if math.cos(ang) > 0.2 else "end" if math.cos(ang) < -0.2 else "middle"
        dx = (r + 4) if anchor == "start" else -(r + 4) if anchor == "end" else 0
        dy = (r + 14) if math.sin(ang) > 0.5 else -(r + 6) if math.sin(ang) < -0.5 else 4
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{PALETTE[0]}">'
                     f'<title>{_e(label)} ({_e(code)}): {n:,} shared projects</title></circle>'
                     f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}" fill="{_TEXT}">'
                     f'{_e(code)} {_e(short)} ({n:,})</text>')
    parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="24" fill="{PALETTE[1]}"><title>{_e(centre)}</title></circle>'
                 f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" font-weight="bold" fill="{_TEXT}">'
                 f'{_e(centre[:10])}</text>')
    parts.append(tail)
    return "".join(parts)
