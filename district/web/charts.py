"""Charts rendered on the server as inline SVG with pygal, readable in black-and-white print.

Lines differ by dash pattern and carry their values; bars are filled with hatching
patterns (SVG ``<pattern>``), not only colours, and print their values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

from district.web.i18n import Translate, label

# Black-and-white friendly fills: each a distinct hatch over a distinct grey.
PATTERNS = [
    ("hatch0", "#1f4e79", '<path d="M0,0 L0,0" />'),
    ("hatch1", "#7f7f7f", '<path d="M0,6 L6,0" stroke="#000" stroke-width="1.2"/>'),
    ("hatch2", "#c0c0c0", '<path d="M0,0 L6,6" stroke="#000" stroke-width="1.2"/><path d="M0,6 L6,0" stroke="#000" stroke-width="1.2"/>'),
    ("hatch3", "#ffffff", '<circle cx="3" cy="3" r="1.4" fill="#000"/>'),
]
DASHES = ["", "10, 5", "2, 4", "12, 4, 2, 4", "5, 5"]
LEGEND_DASHES = ["", "5, 2.5", "1.5, 2", "5, 2, 1.5, 2", "3, 3"]
LINE_COLOURS = ("#1f4e79", "#b8322a", "#2e7d32", "#6a3d9a", "#000000")


def _defs() -> list[str]:
    return [
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{bg}"/>{shape}</pattern>'
        for pid, bg, shape in PATTERNS
    ]


def _style(colours: Sequence[str]) -> Style:
    return Style(
        background="white", plot_background="white", foreground="#222", foreground_strong="#000",
        foreground_subtle="#666", colors=tuple(colours), font_family="DejaVu Sans, sans-serif",
        label_font_size=13, major_label_font_size=13, legend_font_size=13, value_font_size=11, title_font_size=15,
        opacity="1", opacity_hover="1",
    )


def _config(chart: pygal.graph.graph.Graph, title: str) -> None:
    chart.title = title
    chart.js = []
    chart.disable_xml_declaration = True
    chart.legend_at_bottom = True
    chart.legend_at_bottom_columns = 2
    chart.explicit_size = False


def share_trend(title: str, months: Sequence[str], series: dict[str, Sequence[float | None]], target: float | None, tr: Translate) -> str:
    """A line chart of shares (0-1) per month, one line per series, the target dashed; SVG text.

    Values are printed on the points only when there is one line (more would overlap);
    lines differ by dash pattern as well as colour.
    """
    values = [v for vs in series.values() for v in vs if v is not None] + ([target] if target is not None else [])
    low = max(0, min(50, int(min(values, default=0.5) * 10) * 10 - 10))
    rows = (len(series) + (1 if target is not None else 0) + 1) // 2
    chart = pygal.Line(width=640, height=320 + 30 * rows, style=_style(LINE_COLOURS), range=(low, 100),
                       print_values=len(series) == 1, print_values_position="top", dots_size=4, stroke_style={"width": 2.5},
                       margin_right=48, truncate_legend=40, margin_bottom=12 + 22 * max(rows - 1, 0))
    _config(chart, title)
    chart.x_labels = list(months)
    chart.y_labels = sorted({low, 50, 75, 90, 100} - {y for y in (50, 75) if y < low})
    chart.value_formatter = lambda v: f"{v:.0f}%" if v is not None else "–"
    for i, (name, vs) in enumerate(series.items()):
        chart.add(name, [round(v * 100, 1) if v is not None else None for v in vs],
                  stroke_style={"width": 2.5, "dasharray": DASHES[i % len(DASHES)]})
    if target is not None:
        chart.add(tr("Target"), [round(target * 100, 1)] * len(months), show_dots=False, print_values=False,
                  stroke_style={"width": 1.5, "dasharray": "3, 3"})
    return _line_legend(str(chart.render(is_unicode=True)))


def _line_legend(svg: str) -> str:
    """Legend keys drawn as the series' own dash pattern (not colour squares), for print."""

    def key(match: re.Match[str]) -> str:
        x, y, index = float(match.group(1)), float(match.group(2)), int(match.group(3))
        dash = LEGEND_DASHES[index % len(LEGEND_DASHES)]
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<line x1="{x - 4}" y1="{y + 6}" x2="{x + 14}" y2="{y + 6}" stroke="{colour}" stroke-width="3"{dash_attr} />'

    return re.sub(r'<rect x="([\d.]+)" y="([\d.]+)" width="12" height="12" class="color-(\d+) reactive" />', key, svg)


def device_minutes(title: str, weeks: Sequence[tuple[str, dict[str, float]]], tr: Translate) -> str:
    """Grouped bars: minutes each device kind was on inside lessons, per week; SVG text."""
    kinds = sorted({k for _w, kinds in weeks for k in kinds})
    rows = (len(kinds) + 1) // 2
    chart = pygal.Bar(width=640, height=320 + 30 * rows, style=_style([f"url(#{pid})" for pid, _b, _s in PATTERNS]), print_values=True,
                      print_values_position="top", rounded_bars=0, margin_right=24, truncate_legend=40, margin_bottom=12 + 22 * max(rows - 1, 0))
    _config(chart, title)
    chart.defs = _defs()
    chart.x_labels = [tr("Week") + " " + w.split("-W")[-1].lstrip("0") for w, _k in weeks]
    chart.value_formatter = lambda v: f"{v:.0f}" if v else ""
    for kind in kinds:
        chart.add(label(kind, tr), [kinds_.get(kind, 0.0) for _w, kinds_ in weeks])
    svg = str(chart.render(is_unicode=True))
    # Pattern fills also need a black outline to stay distinct in print.
    return svg.replace("</style>", " .series rect.rect{stroke:#000;stroke-width:1} .legend rect{stroke:#000;stroke-width:1} .text-overlay text.value{fill:#000 !important;stroke:none !important}</style>", 1)
