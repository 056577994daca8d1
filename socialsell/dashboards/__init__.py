"""Dashboards: one App per notebook (`App.from_db()`, `app.container`), built from shared panels.

Imported lazily by the notebooks only, so `socialsell import` does not pay for widgets and plotly.
"""

from socialsell.dashboards.coach import CoachApp
from socialsell.dashboards.funnel_app import FunnelApp
from socialsell.dashboards.overview import OverviewApp
from socialsell.dashboards.panels import open_store
from socialsell.dashboards.playbook import PlaybookApp
from socialsell.dashboards.quality import DataQualityApp

__all__ = ["CoachApp", "DataQualityApp", "FunnelApp", "OverviewApp", "PlaybookApp", "open_store"]
