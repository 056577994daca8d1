"""`socialsell report`: the headline yields per rep, team, week…, or the Playbook insights' findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from socialsell.cli import ConfigOption, DbOption, _day, _fail, app, console

__all__ = ["report"]


@app.command()
def report(
    by: Annotated[str, typer.Option(help="rep, team, week, month, warm or total")] = "rep",
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD), team time zone")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, csv or parquet")] = "table",
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None,
    window: Annotated[int | None, typer.Option(help="Attribution window in days [default: 30]")] = None,
    rule: Annotated[
        str | None, typer.Option(help="last_touch, first_touch or split [default: last_touch]")
    ] = None,
    connect_seconds: Annotated[
        int | None, typer.Option(help="Talk time that makes a call without outcome a connect [default: 30]")
    ] = None,
    min_each_way: Annotated[
        int | None, typer.Option(help="Messages each way that make a conversation [default: 1]")
    ] = None,
    dial_overhead: Annotated[
        int | None, typer.Option(help="Rep seconds per dial besides talk [default: 60]")
    ] = None,
    minutes_per_message: Annotated[
        float | None, typer.Option(help="Rep minutes per LinkedIn message [default: 2]")
    ] = None,
    baseline_id: Annotated[str | None, typer.Option("--baseline", help="Baseline id (see README)")] = None,
    insights: Annotated[
        bool, typer.Option("--insights", help="Print the Playbook insights' findings instead")
    ] = False,
    insight: Annotated[
        list[str] | None, typer.Option(help="Only this insight (repeatable); implies --insights")
    ] = None,
    cost_per_hour: Annotated[
        float | None, typer.Option(help="Loaded cost of a rep-hour in € [default: 60]")
    ] = None,
    call_center_price: Annotated[
        float | None, typer.Option(help="An external call center's price per meeting in €")
    ] = None,
    response_sla: Annotated[
        float | None,
        typer.Option(help="Hours within which a prospect's message should be answered [default: 24]"),
    ] = None,
    lead_sla: Annotated[
        float | None,
        typer.Option(help="Hours within which an inbound lead should be touched back [default: 24]"),
    ] = None,
    meetings_wanted: Annotated[
        int | None, typer.Option(help="Meetings next month the planner plans for [default: 10]")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Cold-call yields beside social conversation-to-meeting rates, with intervals and equivalence;
    with --insights, the Playbook's findings (templates, du/Sie, responsiveness, compliance, cost…).

    Example: socialsell report --by team --from 2026-09-01 --format json

    Example: socialsell report --insights --cost-per-hour 75
    """
    from socialsell import metrics, store
    from socialsell.config import Config, ConfigError
    from socialsell.definitions import Definitions, baseline
    from socialsell.reporting import headline_table, write

    try:
        settings = Config.load(config).metrics
        d = Definitions.from_settings(settings).with_(
            date_from=_day("--from", date_from),
            date_to=_day("--to", date_to),
            attribution_window_days=window,
            attribution_rule=rule,
            connect_min_talk_s=connect_seconds,
            conversation_min_each_way=min_each_way,
            dial_overhead_s=dial_overhead,
            minutes_per_message=minutes_per_message,
            baseline_id=baseline_id,
            cost_per_rep_hour=cost_per_hour,
            call_center_price_per_meeting=call_center_price,
            response_sla_hours=response_sla,
            lead_response_sla_hours=lead_sla,
            planner_meetings_wanted=meetings_wanted,
        )
        baseline(d.baseline_id)
        con = store.connect(db, read_only=True)
        if insights or insight:
            text = _insights(con, d, tuple(insight or ()), fmt, output)
            con.close()
            if text is not None:
                sys.stdout.write(text)
            return
        frame = metrics.report(con, d, by)
        con.close()
        if fmt == "table":
            console.print(headline_table(frame, d, by))
            return
        text = write(frame, d, by, fmt, output)
    except (ValueError, KeyError, ConfigError, store.StoreError) as exc:
        _fail(str(exc).strip('"'))
    if text is not None:
        sys.stdout.write(text)


def _insights(con, d, names: tuple[str, ...], fmt: str, output: Path | None) -> str | None:
    from socialsell import insight_report
    from socialsell.insights import INSIGHTS, run

    found = run(con, d, names or INSIGHTS)
    if fmt == "table":
        console.print(insight_report.panels(found))
        return None
    return insight_report.write(found, d, fmt, output)
