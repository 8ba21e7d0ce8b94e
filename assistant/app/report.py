"""`python -m assistant report FILE.pdf`: a one- or two-page report for the huisarts.

Page 1: the programme so far (start, week, sessions per day against the goal as a chart, positions,
check-up dates, the answers how the complaints are). Page 2, when there is a plasdagboek: a table
of daily totals and, for the last three diary days, every entry. Black and white, Dutch dates;
drawn with matplotlib (its PDF backend), never a hand-written PDF. All words: prompts/report.toml.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from assistant import prompts
from assistant.app import wiring
from assistant.errors import UserError
from assistant.programme import calendar as programme
from assistant.programme import diary as diary_words
from assistant.programme.journal import AppointmentLog, CheckinLog, DiaryLog

A4 = (8.27, 11.69)
DETAIL_DAYS = 3     # the plasdagboek is kept for the 3 days before the check-up


def _date(d: date, r: dict, w: dict) -> str:
    return r["date"].format(weekday=w["days"]["weekdays"][d.weekday()], day=d.day,
                            month=w["days"]["months"][d.month - 1], year=d.year)


def _lines(journal, keeper_goal: int, now: datetime, r: dict, w: dict) -> list[tuple[str, str]]:
    """(style, text) lines of page 1's text."""
    rows = journal.sessions()
    out = [("h", r["programme_heading"])]
    first = programme.start_date(rows, now)
    if first is None:
        out.append(("p", r["no_sessions"]))
    else:
        done = programme.done_sessions(rows)
        per_day = Counter(programme.local(x.started_at, now).date() for x in done)
        out.append(("p", r["started"].format(date=_date(first, r, w), week=programme.week_number(rows, now))))
        out.append(("p", r["sessions"].format(sessions=len(done), days=len(per_day), goal=keeper_goal,
                                              full_days=sum(n >= keeper_goal for n in per_day.values()))))
        used = Counter(x.position for x in done)
        names = ", ".join(f"{r['position_names'].get(p, p)} {n}x" for p, n in used.most_common())
        out.append(("p", r["positions"].format(positions=names)))
    out.append(("p", r["goal_now"].format(goal=keeper_goal)))
    appointments = AppointmentLog(journal).dates()
    if appointments:
        out.append(("p", r["appointments"].format(dates=", ".join(_date(d, r, w) for d in appointments))))
    out.append(("h", r["checkins_heading"]))
    answers = [(k, a, at) for k, _, a, at in CheckinLog(journal).all() if a and k in r["checkin_names"]]
    if not answers:
        out.append(("p", r["no_checkins"]))
    for kind, answer, at in answers:
        when = _date(datetime.fromisoformat(at).date(), r, w)
        out.append(("p", f"{r['checkin_names'][kind]} ({when}): {r['answer_names'].get(answer, answer)}"))
    return out


def _chart(ax, journal, goal: int, now: datetime, r: dict) -> None:
    rows = journal.sessions()
    first = programme.start_date(rows, now)
    if first is None:
        ax.set_axis_off()
        return
    per_day = Counter(programme.local(x.started_at, now).date() for x in programme.done_sessions(rows))
    days = [first + timedelta(days=i) for i in range((now.date() - first).days + 1)]
    ax.bar(range(len(days)), [per_day[d] for d in days], color="0.6", edgecolor="black", linewidth=0.5, width=0.8)
    ax.axhline(goal, color="black", linestyle="--", linewidth=1)
    ax.text(len(days) - 0.5, goal + 0.1, f"{r['chart_goal']} {goal}", ha="right", va="bottom", fontsize=8)
    step = max(1, len(days) // 12)
    ax.set_xticks(range(0, len(days), step))
    ax.set_xticklabels([f"{d.day}/{d.month}" for d in days[::step]], fontsize=7, rotation=45)
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([goal + 1, *per_day.values()]) + 0.5)
    ax.set_ylabel(r["chart_ylabel"], fontsize=8)
    ax.set_title(r["chart_title"], fontsize=10, loc="left")
    ax.tick_params(axis="y", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _table(ax, header: list[str], body: list[list[str]], fontsize: float, widths: list[float]) -> None:
    ax.set_axis_off()
    if not body:
        return
    t = ax.table(cellText=body, colLabels=header, loc="upper left", cellLoc="left", colLoc="left", colWidths=widths)
    t.auto_set_font_size(False)
    t.set_fontsize(fontsize)
    for (row, _), cell in t.get_celld().items():
        cell.set_edgecolor("black")
        cell.set_linewidth(0.4)
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("0.85")
    t.scale(1, 1.25)


def _diary_page(pdf, plt, diary_rows, now: datetime, r: dict, w: dict, d: dict) -> None:
    fig = plt.figure(figsize=A4)
    fig.text(0.07, 0.955, r["diary_heading"], fontsize=15, weight="bold")
    days = diary_words.days(diary_rows, now)
    totals = [diary_words.totals(diary_rows, day, now) for day in days]
    unknown = lambda n: f" ({r['unknown_amounts'].format(n=n)})" if n else ""
    body = [[_date(t.day, r, w), str(t.voids), f"{t.void_ml}{unknown(t.voids_unknown)}",
             f"{t.drink_ml}{unknown(t.drinks_unknown)}", str(t.leaks), str(t.pads), str(t.urges)] for t in totals]
    top = 0.93
    height = 0.03 * (len(body) + 1)
    _table(fig.add_axes((0.07, top - height, 0.86, height)), r["totals_columns"], body, 7.5,
           [0.25, 0.11, 0.15, 0.16, 0.15, 0.08, 0.10])
    top -= height + 0.03
    shown = days[-DETAIL_DAYS:]
    if len(days) > len(shown):
        fig.text(0.07, top, r["more_days"].format(n=len(days), shown=len(shown)), fontsize=8)
        top -= 0.025
    entries = {day: [x for x in diary_rows if programme.local(x.at, now).date() == day] for day in shown}
    n_rows = sum(len(v) + 2 for v in entries.values()) or 1
    row_h = min(0.022, (top - 0.05) / n_rows)
    fontsize = max(5.5, min(8.0, row_h * 360))
    for day in shown:
        fig.text(0.07, top, _date(day, r, w), fontsize=10, weight="bold")
        body = [[programme.local(x.at, now).strftime("%H:%M"), r["kind_names"][x.kind],
                 "" if x.ml is None else str(x.ml), r["size_names"].get(x.size or "", x.size or ""),
                 _note(x, d)] for x in entries[day]]
        height = row_h * (len(body) + 1)
        _table(fig.add_axes((0.07, top - 0.008 - height, 0.86, height)), r["columns"], body, fontsize,
               [0.08, 0.2, 0.08, 0.12, 0.52])
        top -= height + 0.04
    pdf.savefig(fig)
    plt.close(fig)


def _note(row, d: dict) -> str:
    parts = [p for p in (row.note or "").split(", ") if p]
    if row.count is not None and row.container is not None:
        forms = d["amounts"]["container_names"][row.container]
        parts.insert(0, f"{row.count} {forms[0] if row.count == 1 else forms[1]}")
    return ", ".join(parts)


def write_report(journal, target: Path, now: datetime, goal: int) -> int:
    """Writes the PDF; returns its number of pages."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    r, w, d = prompts.load("report"), prompts.load("words"), prompts.load("diary")
    diary_rows = DiaryLog(journal).rows()
    pages = 0
    with PdfPages(target, metadata={"Title": r["title"], "Creator": "bekkenbodem-coach"}) as pdf:
        fig = plt.figure(figsize=A4)
        fig.text(0.07, 0.955, r["title"], fontsize=15, weight="bold")
        fig.text(0.07, 0.935, r["made_on"].format(date=_date(now.date(), r, w)), fontsize=9)
        y = 0.90
        for style, text in _lines(journal, goal, now, r, w):
            if style == "h":
                y -= 0.01
            fig.text(0.07, y, text, fontsize=12 if style == "h" else 9.5, weight="bold" if style == "h" else "normal",
                     wrap=True)
            y -= 0.028
        height = min(0.32, y - 0.12)
        _chart(fig.add_axes((0.1, y - 0.04 - height, 0.83, height)), journal, goal, now, r)
        if not diary_rows:
            fig.text(0.07, 0.03, r["no_diary"], fontsize=9)
        pdf.savefig(fig)
        plt.close(fig)
        pages = 1
        if diary_rows:
            _diary_page(pdf, plt, diary_rows, now, r, w, d)
            pages = 2
    return pages


def cmd_report(args) -> int:
    target = Path(args.file)
    if target.suffix.lower() != ".pdf":
        raise UserError("Kies een bestandsnaam die eindigt op .pdf.")
    journal = wiring.open_journal(args)
    keeper = wiring.open_keeper(args, journal)
    try:
        pages = write_report(journal, target, wiring.now(), keeper.goal())
    except OSError as err:
        raise UserError(f"Het bestand {target} kan niet worden geschreven.", repr(err)) from None
    print(f"Verslag opgeslagen in {target} ({pages} blz.).")
    return 0
