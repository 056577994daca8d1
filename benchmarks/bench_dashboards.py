"""Dashboard benchmark in a real browser: time to first complete render and filter-change latency.

Serves a database with `socialsell serve` (as users get it), opens each dashboard in headless
Debian chromium (Playwright, never a downloaded browser) and measures
  - first render: from navigation until every plotly chart of the page is drawn (Voilà starts a
    kernel, runs the notebook, the widgets render), target ≤ 5 s;
  - filter change: from choosing another team until the figures under the filter have changed,
    median of four changes, target ≤ 300 ms.

Usage: python benchmarks/bench_dashboards.py --db PATH   (the demo database, or one built by
bench_queries.py --touches 10000000 --db PATH)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dashboard_server import DashboardPage, chromium_context, chromium_problem, serving  # noqa: E402

# The part of each dashboard a team change redraws, and the charts it draws.
DASHBOARDS = {
    "1_overview.ipynb": ".ss-cards",
    "2_coach.ipynb": '.widget-html:has(h3:text-is("Reps"))',
    "3_funnel.ipynb": ".js-plotly-plot",
    "5_playbook.ipynb": ".ss-verdict",
}
# The Playbook redraws its open tab. The synthetic 10 M database has no message texts, so most
# insights say "nothing in this scope" for every team; cost per meeting changes with the team.
TABS = {"5_playbook.ipynb": "Cost per meeting"}


def _figures(page: DashboardPage) -> int:
    return page.page.locator(".js-plotly-plot").count()


def measure(page: DashboardPage, notebook: str, selector: str) -> tuple[float, float | None]:
    started = time.perf_counter()
    page.open(notebook, timeout=120)
    page.page.wait_for_selector(selector, timeout=120_000)
    first = time.perf_counter() - started
    page.settle(quiet=1.0, timeout=120)
    if notebook in TABS:
        page.page.locator(".lm-TabBar-tab", has_text=TABS[notebook]).click()
        page.page.wait_for_selector(f"{selector}:visible:has-text('€')", timeout=60_000)
        selector = f"{selector}:visible"
        page.settle(quiet=0.5, timeout=60)
    teams = page.options("Team")
    if len(teams) < 2:
        return first, None
    times = []
    for n in range(4):
        option = teams[(n + 1) % len(teams)]
        before = page.text(selector)
        started = time.perf_counter()
        page.choose("Team", option)
        while page.text(selector) == before and time.perf_counter() - started < 30:
            time.sleep(0.01)
        times.append(time.perf_counter() - started)
        page.settle(selector, quiet=0.5)
    return first, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--warmup", type=float, default=45, help="seconds to let the server pre-run kernels")
    args = parser.parse_args()
    problem = chromium_problem()
    if problem:
        sys.exit(f"bench_dashboards needs Debian's chromium: {problem}")
    log = Path(tempfile.mkdtemp(prefix="socialsell-dbench-")) / "voila.log"
    with serving(args.db, log) as server, chromium_context() as context:
        # Voilà pre-runs each dashboard in a kernel at start-up (--preheat_kernel): a visitor of a
        # running server gets that kernel. Give the server the time it has in real use.
        time.sleep(args.warmup)
        for notebook, selector in DASHBOARDS.items():
            page = DashboardPage(context, server)
            first, change = measure(page, notebook, selector)
            page.close()
            shown = f"{change * 1000:.0f} ms" if change is not None else "– (one team)"
            print(
                f"{notebook:>20}: first complete render {first:.1f} s (target ≤ 5), "
                f"team filter change {shown} (median of 4; target ≤ 300 ms)",
                flush=True,
            )


if __name__ == "__main__":
    main()
