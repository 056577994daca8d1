"""Figures on a dashboard: drawn by the page's plotly.js when served, Plotly's MIME bundle elsewhere."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from socialsell import serve
from socialsell.dashboards.panels import Chart
from socialsell.serve import PAGE_PLOTLY_ENV

HOSTILE = "</script><script>alert(1)</script><!-- & >"


def _figure() -> dict:
    return {"data": [{"type": "bar", "x": [HOSTILE, "Anna"], "y": [3, 4]}], "layout": {}}


def _output(chart: Chart) -> dict:
    (output,) = chart.widget.outputs
    return output["data"]


def test_in_jupyterlab_a_figure_is_plotlys_mime_bundle_with_the_house_layout(monkeypatch):
    monkeypatch.delenv(PAGE_PLOTLY_ENV, raising=False)
    chart = Chart("Dials per rep", height=300)
    chart.show(_figure())
    bundle = _output(chart)
    assert list(bundle) == ["application/vnd.plotly.v1+json"]
    figure = bundle["application/vnd.plotly.v1+json"]
    assert figure["data"][0]["x"][0] == HOSTILE
    assert figure["layout"]["title"]["text"] == "Dials per rep" and figure["layout"]["height"] == 300


def test_served_a_figure_is_a_div_drawn_by_the_pages_plotly_and_data_cannot_end_its_script(monkeypatch):
    monkeypatch.setenv(PAGE_PLOTLY_ENV, "1")
    chart = Chart("Dials per rep", height=300)
    chart.show(_figure())
    html = _output(chart)["text/html"]
    assert html.startswith('<div class="ss-plot"></div><script>') and html.endswith("</script>")
    script = html[len('<div class="ss-plot"></div><script>') : -len("</script>")]
    assert not re.search(r"</script|<!--|<script", script, re.IGNORECASE)  # the hostile label stays data
    assert "Plotly.newPlot(el, fig.data, fig.layout" in script
    payload = re.search(r"fig = (\{.*\});\n", script)[1]
    figure = json.loads(payload)  # \u003c escapes are JSON: the figure arrives unchanged
    assert figure["data"][0]["x"] == [HOSTILE, "Anna"]
    assert figure["layout"]["title"]["text"] == "Dials per rep" and figure["layout"]["height"] == 300


def test_serve_puts_plotlys_own_plotly_js_beside_the_template_and_tells_the_kernels(tmp_path):
    env = serve.page_plotly({"JUPYTER_PATH": "/elsewhere", "PATH": "/bin"}, tmp_path)
    assert env[PAGE_PLOTLY_ENV] == "1" and env["PATH"] == "/bin"
    first, *rest = env["JUPYTER_PATH"].split(os.pathsep)
    assert first == str(tmp_path / "jupyter") and rest == ["/elsewhere"]
    served = Path(first, "voila", "templates", "socialsell", "static", "plotly.min.js")
    assert served.read_text().startswith("/**\n* plotly.js v")
    template = (serve.JUPYTER_PATH / "voila" / "templates" / "socialsell" / "index.html.j2").read_text()
    assert 'voila/templates/socialsell/static/plotly.min.js"></script>' in template
