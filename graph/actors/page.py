"""The region profile as a web page: the explorer's ``/region/CODE`` and ``clusterkg region --format html``.

Both render the same template body (``graph/server/templates/region_body.html``) with the charts of
:mod:`graph.actors.charts`; the offline file inlines the explorer's stylesheet and links figures to
the explorer's rows pages at ``base`` (default the address ``clusterkg serve`` listens on).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from .charts import bar_chart, collaboration_map, hbar_chart
from .tables import FRAMEWORKS

__all__ = ["region_charts", "region_html", "rows_url"]

SERVER = Path(__file__).resolve().parent.parent / "server"


def rows_url(key: str, base: str = "") -> str:
    """The explorer URL listing the rows behind a figure."""
    return f"{base}/rows?{urlencode({'key': key})}"


def region_charts(p: dict[str, Any]) -> dict[str, Markup]:
    """The SVG charts of a profile (empty when there is nothing to draw)."""
    r = p["region"]
    rs = p["research"]
    out: dict[str, Markup] = {}
    fws = [f for f in [*FRAMEWORKS, ""] if any(b["framework"] == f for y in rs["by_year"] for b in y["by_framework"])]
    names = {f: next(b["label"] for y in rs["by_year"] for b in y["by_framework"] if b["framework"] == f) for f in fws}
    if rs["by_year"]:
        groups = []
        for y in rs["by_year"]:
            vals = [next((b["ec_contribution"] for b in y["by_framework"] if b["framework"] == f), 0.0) for f in fws]
            groups.append((str(y["year"]) if y["year"] is not None else "n/a", vals))
        best = max(rs["by_year"], key=lambda y: y["ec_contribution"])
        desc = (f"EC contribution to organisations in {r['label']} by start year of the project, stacked by "
                f"framework programme; the largest year is {best['year']} with €{best['ec_contribution']:,.0f}. "
                f"The table beside the chart gives every figure.")
        out["by_year"] = Markup(bar_chart(groups, [names[f] for f in fws], title=f"EC contribution by year: "
                                          f"{r['label']}", desc=desc))
    parts = sorted(rs["by_part"], key=lambda b: -b["ec_contribution"])[:16]
    if parts:
        rows = [(b["label"].replace("Horizon 2020: ", "").replace("Horizon Europe: ", ""), b["ec_contribution"],
                 "Horizon 2020" if b["framework"] == FRAMEWORKS[0] else "Horizon Europe"
                 if b["framework"] == FRAMEWORKS[1] else "other or not given") for b in parts]
        desc = (f"EC contribution to organisations in {r['label']} by programme part, largest first: "
                + "; ".join(f"{a} €{v:,.0f}" for a, v, _ in rows[:5]) + ". The table beside gives every figure.")
        out["by_part"] = Markup(hbar_chart(rows, title=f"EC contribution by programme part: {r['label']}",
                                           desc=desc))
    col = p["collaborations"]["items"][:10]
    if col:
        desc = (f"{r['label']} and the regions it shares the most projects with: "
                + "; ".join(f"{c['label']} ({c['code']}) {c['shared_projects']:,}" for c in col)
                + ". The table beside gives the figures.")
        out["collab"] = Markup(collaboration_map(r["code"], [(c["code"], c["label"], c["shared_projects"])
                                                              for c in col],
                                                 title=f"Collaborations of {r['label']}", desc=desc))
    return out


def region_html(p: dict[str, Any], *, base: str = "http://127.0.0.1:8000") -> str:
    """One self-contained HTML page of the profile (no script; the stylesheet inlined)."""
    from ..server.app import templates

    env = templates()
    css = (SERVER / "static" / "explorer.css").read_text(encoding="utf-8")
    return env.get_template("region_page.html").render(
        data=p, charts=region_charts(p), base=base, css=Markup(css.replace("</", "<\\/")),
        rows_url=lambda key: rows_url(key, base), title=f"{p['region']['label']} ({p['region']['code']})")
