"""Charts rendered on the server as inline SVG with pygal, readable in black-and-white print.

Lines differ by dash pattern and carry their values; bars are filled with hatching
patterns (SVG ``<pattern>``), not only colours, and print their values.
"""

from __future__ import annotations

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
DASHES = ["", "8, 4", "2, 4", "12, 4, 2, 4", "4, 4"]
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
    chart.margin = 12


def share_trend(title: str, months: Sequence[str], series: dict[str, Sequence[float | None]], target: float | None, tr: Translate) -> str:
    """A line chart of shares (0-1) per month, one line per series, the target dashed; SVG text."""
    chart = pygal.Line(width=640, height=320, style=_style(LINE_COLOURS), range=(0, 100), show_minor_y_labels=False,
                       print_values=True, print_values_position="top", dots_size=4, stroke_style={"width": 2.5})
    _config(chart, title)
    chart.x_labels = list(months)
    chart.y_labels = [0, 25, 50, 75, 90, 100]
    chart.value_formatter = lambda v: f"{v:.0f}%" if v is not None else "–"
    for i, (name, values) in enumerate(series.items()):
        chart.add(name, [round(v * 100, 1) if v is not None else None for v in values],
                  stroke_style={"width": 2.5, "dasharray": DASHES[i % len(DASHES)]})
    if target is not None:
        chart.add(tr("Target"), [round(target * 100, 1)] * len(months), show_dots=False, print_values=False,
                  stroke_style={"width": 1.5, "dasharray": "3, 3"})
    return str(chart.render(is_unicode=True))


def device_minutes(title: str, weeks: Sequence[tuple[str, dict[str, float]]], tr: Translate) -> str:
    """Grouped bars: minutes each device kind was on inside lessons, per week; SVG text."""
    kinds = sorted({k for _w, kinds in weeks for k in kinds})
    chart = pygal.Bar(width=640, height=320, style=_style([f"url(#{pid})" for pid, _b, _s in PATTERNS]), print_values=True,
                      print_values_position="top", rounded_bars=0)
    _config(chart, title)
    chart.defs = _defs()
    chart.x_labels = [w for w, _k in weeks]
    chart.value_formatter = lambda v: f"{v:.0f}" if v else ""
    for kind in kinds:
        chart.add(label(kind, tr), [kinds_.get(kind, 0.0) for _w, kinds_ in weeks])
    svg = str(chart.render(is_unicode=True))
    # Pattern fills also need a black outline to stay distinct in print.
    return svg.replace("</style>", " .series rect.rect{stroke:#000;stroke-width:1} .legend rect{stroke:#000;stroke-width:1}</style>", 1)
