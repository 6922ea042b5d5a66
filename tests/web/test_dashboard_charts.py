"""The dashboard's SVG charts: every figure and label escaped, bars as long as their share of the largest
value, labels along time never crowded, and reference lines labelled (several by number, for the legend)."""

from __future__ import annotations

import re

from shop.web.dashboard import charts
from shop.web.dashboard.charts import Reference


def test_bars_are_proportional_escaped_and_carry_their_reference_lines():
    svg = str(
        charts.bars(
            "c1",
            "Ingresos <por> comunidad",
            [("Nachij", 200), ("Apas & Co", 100)],
            shown=lambda v: f"${v}",
            references=[Reference("Salario mínimo", 150), Reference("Línea de pobreza", 50)],
        )
    )
    assert svg.startswith('<svg class="chart" id="c1"') and 'aria-labelledby="c1-t"' in svg
    assert '<title id="c1-t">Ingresos &lt;por&gt; comunidad</title>' in svg and "Apas &amp; Co" in svg
    widths = [int(w) for w in re.findall(r'<rect class="bar" [^>]*width="(\d+)"', svg)]
    assert widths[0] == 2 * widths[1]
    markers = re.findall(r'<text class="reference-label r\d"[^>]*>([^<]+)</text>', svg)
    assert markers == ["1", "2"]  # explained in the legend beside the chart
    lone = str(charts.bars("c2", "t", [("a", 1)], references=[Reference("80%", 1)]))
    assert re.findall(r'<text class="reference-label r0"[^>]*>([^<]+)</text>', lone) == ["80%"]


def test_columns_label_at_most_nine_points_along_the_bottom():
    points = [(f"{m:02d}", m * 10) for m in range(1, 19)]
    svg = str(charts.columns("c3", "Por mes", points))
    labels = re.findall(r'<text class="label"[^>]*>([^<]+)</text>', svg)
    assert labels == ["01", "03", "05", "07", "09", "11", "13", "15", "17"]
    assert svg.count('<rect class="bar"') == 18
    assert not re.findall(r'<text class="figure"', svg)  # eighteen figures would crowd: the table has them
