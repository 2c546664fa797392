"""`kefu report`: the desk's day as one self-contained HTML page.

The page holds its charts as inline SVG drawn by matplotlib (imported here only), its styles
inline, no script and no link: it opens offline, from a mail attachment or a shared folder.
Charts and headings are in the run's language; codes, statuses and carrier codes stay as they
are (machine fields never translate). Chart text is written as SVG text, so the browser draws
Chinese and Japanese with its own fonts.

Sections: audit verdicts and findings by code, overdue audits; parcels by status and carrier,
the stale ones listed; transit per destination, a chart per warehouse (p10–p90 with the median,
from the delivery history); reminder results per stage and wording. A map of China's provinces
and Japan's prefectures is left out: no well-kept library draws one offline without shipping
map data kefu would have to keep.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from kefu_cli.i18n import _, current_language

VERDICT_COLOURS = {"pass": "#2e7d32", "hold": "#f9a825", "reject": "#c62828", "skip": "#9e9e9e"}
STATUS_ORDER = ("pending", "picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "returning",
                "refused", "returned")
LISTED = 50  # rows of a list on the page; the count says how many there are


@dataclass
class Day:
    shop: str
    now: datetime
    source: str
    orders: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    overdue: list[dict] = field(default_factory=list)  # order_id, row, message
    parcels: list[dict] = field(default_factory=list)  # tracking records from the cache
    transit: list[dict] = field(default_factory=list)  # stats.transit rows (all carriers)
    reminders: list[dict] = field(default_factory=list)  # stats.Reminders.results()
    aftersales: list[dict] | None = None  # the cases `kefu aftersales` evaluates (None: no after-sales files)
    aftersales_stats: list[dict] = field(default_factory=list)  # stats.aftersales rows


def audit_day(day: Day, records) -> None:
    """Verdicts, codes and the overdue orders from the audit's records (audit/passes.TwoPasses)."""
    verdicts: Counter = Counter()
    codes: Counter = Counter()
    for rec in records:
        day.orders += 1
        verdicts[rec["verdict"]] += 1
        for f in rec["findings"]:
            codes[f["code"]] += 1
            if f["code"] == "AUDIT_OVERDUE":
                day.overdue.append({"order_id": rec["order_id"], "row": rec["row"], "message": f["message"]})
    day.verdicts, day.codes = dict(verdicts), dict(codes)


# --------------------------------------------------------------------------- charts


def _pyplot():
    import logging
    import warnings

    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=r".*Glyph .* missing from font")
    plt.rcParams.update({
        "svg.fonttype": "none",  # text stays text: the browser's CJK fonts draw it
        "font.family": "sans-serif",
        "font.sans-serif": [*CJK_FONTS, "DejaVu Sans"],
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "kefu",  # the same data draws the same file
    })
    return plt


def _svg(fig, plt) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight",
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _barh(plt, labels: list[str], values: list[int], colours=None, title: str = "", xlabel: str = "") -> str:
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(labels) + 1.0))
    bars = ax.barh(range(len(labels)), values, color=colours or "#1565c0")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.bar_label(bars, padding=3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    return _svg(fig, plt)


def verdict_chart(plt, day: Day) -> str:
    labels = [v for v in ("pass", "hold", "reject", "skip") if day.verdicts.get(v)]
    return _barh(plt, labels, [day.verdicts[v] for v in labels], [VERDICT_COLOURS[v] for v in labels],
                 _("Audit verdicts"), _("orders"))


def codes_chart(plt, day: Day) -> str:
    ranked = sorted(day.codes.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    return _barh(plt, [c for c, _n in ranked], [n for _c, n in ranked], None, _("Findings by code"), _("orders"))


def parcels_chart(plt, day: Day) -> str:
    counts = Counter((p["carrier"] or "?", p["status"] or "?") for p in day.parcels)
    carriers = sorted({c for c, _s in counts})
    statuses = [s for s in STATUS_ORDER if any(st == s for _c, st in counts)] + sorted(
        {s for _c, s in counts if s not in STATUS_ORDER})
    fig, ax = plt.subplots(figsize=(6.4, 0.4 * len(carriers) + 1.4))
    left = [0] * len(carriers)
    cmap = plt.get_cmap("tab10")
    for k, status in enumerate(statuses):
        values = [counts.get((c, status), 0) for c in carriers]
        ax.barh(range(len(carriers)), values, left=left, label=status, color=cmap(k % 10))
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(range(len(carriers)), carriers)
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(_("Parcels by status and carrier"), loc="left")
    ax.set_xlabel(_("parcels"))
    return _svg(fig, plt)


def transit_charts(plt, day: Day) -> list[tuple[str, str]]:
    """(warehouse, chart) for each warehouse: per destination, p10–p90 with the median (parcels
    whose warehouse the history could not tell are left out of the charts)."""
    out = []
    for warehouse in sorted({r["warehouse"] for r in day.transit if r["warehouse"]}):
        rows = sorted((r for r in day.transit if r["warehouse"] == warehouse),
                      key=lambda r: (-r["n"], r["province"] or ""))[:25]
        fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(rows) + 1.2))
        for k, r in enumerate(rows):
            ax.plot([r["calendar_p10"], r["calendar_p90"]], [k, k], color="#90caf9", linewidth=6,
                    solid_capstyle="butt")
            ax.plot([r["calendar_p50"]], [k], marker="o", color="#0d47a1")
        ax.set_yticks(range(len(rows)), [f"{r['province'] or '?'} (n={r['n']})" for r in rows])
        ax.invert_yaxis()
        ax.set_xlabel(_("calendar days from pickup to delivery: p10–p90, dot = median"))
        ax.set_title(_("Transit from {warehouse}").format(warehouse=warehouse), loc="left")
        out.append((warehouse, _svg(fig, plt)))
    return out


def reminder_chart(plt, day: Day) -> str:
    rows = day.reminders
    labels = [f"{r['stage']} · {r['template']}" for r in rows]
    values = [float(r["rate"] or 0) * 100 for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 0.4 * len(rows) + 1.0))
    bars = ax.barh(range(len(rows)), values, color="#6a1b9a")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{v:.0f}% ({r['paid']}/{r['sent']})" for v, r in zip(values, rows)], padding=3)
    ax.set_xlim(0, 110)
    ax.set_title(_("Paid after a reminder, by stage and wording"), loc="left")
    ax.set_xlabel("%")
    return _svg(fig, plt)


# --------------------------------------------------------------------------- the page

# The fonts a desk's computer has for Chinese and Japanese, by system (the page and the charts'
# text name the same list; the first one present draws): Windows (Microsoft YaHei 微软雅黑, SimHei
# 黑体, SimSun 宋体; Yu Gothic, Meiryo for Japanese), macOS (PingFang SC 苹方, Hiragino Sans GB,
# Heiti SC; Hiragino Sans, Hiragino Kaku Gothic ProN for Japanese), Linux (Noto Sans CJK SC /
# Source Han Sans SC, as fonts-noto-cjk installs them; WenQuanYi Micro Hei, Droid Sans Fallback).
CJK_FONTS = ("Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC",
             "Noto Sans SC", "WenQuanYi Micro Hei", "Heiti SC", "SimHei", "Droid Sans Fallback", "Yu Gothic", "Meiryo",
             "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans CJK JP", "SimSun")

CSS = """
body{font-family:-apple-system,"Segoe UI",FONTS,sans-serif;
margin:24px auto;max-width:1100px;color:#212121;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
.meta{color:#616161;font-size:13px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #e0e0e0;border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}.grid{display:flex;flex-wrap:wrap;gap:16px}
.chart{flex:1 1 480px}.chart svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:13px;margin-top:8px}td,th{border-bottom:1px solid #eee;padding:4px 10px;
text-align:left}th{background:#fafafa}.empty{color:#9e9e9e}
""".replace("FONTS", ",".join(f'"{name}"' for name in CJK_FONTS))


def _table(rows: list[dict], columns: list[str]) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(_("none"))}</p>'
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if r.get(c) is None else str(r.get(c)))}</td>"
                                     for c in columns) + "</tr>" for r in rows[:LISTED])
    more = (f'<p class="meta">{html.escape(_("{shown} of {count} shown").format(shown=LISTED, count=len(rows)))}</p>'
            if len(rows) > LISTED else "")
    return f"<table><tr>{head}</tr>{body}</table>{more}"


def _figure(svg: str) -> str:
    return f'<div class="chart">{svg}</div>'


def render(day: Day) -> str:
    """The page: a string of HTML that needs nothing else to show."""
    plt = _pyplot()
    e = html.escape
    stale = sorted((p for p in day.parcels if p.get("stale")), key=lambda p: -(p.get("days_since_update") or 0))
    problems = [p for p in day.parcels if p["status"] in ("exception", "refused", "returned", "returning")]
    cards = [(_("orders"), day.orders), (_("on hold"), day.verdicts.get("hold", 0)),
             (_("rejected"), day.verdicts.get("reject", 0)), (_("overdue audits"), len(day.overdue)),
             (_("parcels tracked"), len(day.parcels)), (_("stale parcels"), len(stale))]
    parts = [f'<!DOCTYPE html><html lang="{e(current_language())}"><head><meta charset="utf-8">',
             f"<title>{e(_('{shop} — the desk’s day').format(shop=day.shop))}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(_('{shop} — the desk’s day').format(shop=day.shop))}</h1>",
             f'<p class="meta">{e(day.now.strftime("%Y-%m-%d %H:%M %Z"))} · {e(day.source)}</p>',
             '<div class="cards">' + "".join(f"<div class=\"card\"><b>{n}</b>{e(label)}</div>" for label, n in cards)
             + "</div>"]
    parts.append(f"<h2>{e(_('Audit'))}</h2>")
    if day.orders:
        parts.append('<div class="grid">' + _figure(verdict_chart(plt, day))
                     + (_figure(codes_chart(plt, day)) if day.codes else "") + "</div>")
    parts.append(f"<h3>{e(_('Overdue audits'))}</h3>" + _table(day.overdue, ["order_id", "row", "message"]))
    parts.append(f"<h2>{e(_('Parcels'))}</h2>")
    if day.parcels:
        parts.append('<div class="grid">' + _figure(parcels_chart(plt, day)) + "</div>")
    parts.append(f"<h3>{e(_('Stale parcels'))}</h3>"
                 + _table(stale, ["waybill", "carrier", "status", "days_since_update", "location", "detail"]))
    parts.append(f"<h3>{e(_('Exceptions, refusals and returns'))}</h3>"
                 + _table(problems, ["waybill", "carrier", "status", "updated_at", "detail"]))
    parts.append(f"<h2>{e(_('Transit per destination'))}</h2>")
    charts = transit_charts(plt, day) if day.transit else []
    if charts:
        parts.append('<div class="grid">' + "".join(_figure(svg) for _w, svg in charts) + "</div>")
    else:
        parts.append(f'<p class="empty">{e(_("no delivered parcels in the history yet"))}</p>')
    parts.append(f"<h2>{e(_('Payment reminders'))}</h2>")
    if day.reminders:
        parts.append('<div class="grid">' + _figure(reminder_chart(plt, day)) + "</div>")
    parts.append(_table(day.reminders, ["stage", "template", "sent", "paid", "rate", "median_hours", "closed_unpaid"]))
    if day.aftersales is not None:
        parts.extend(aftersales_section(day))
    parts.append("</body></html>\n")
    return "".join(parts)


def aftersales_section(day: Day) -> list[str]:
    """售后: open cases by same-day state, the cases due today, the platform deadlines of the next
    24 hours, the late replacements, and the results per platform, type and part type."""
    from datetime import timedelta

    e = html.escape
    cases = [r for r in day.aftersales if r["open"]]
    states = Counter(r["sla_state"] for r in cases)
    today = day.now.date()
    due_today = [r for r in cases if r["sla_state"] in ("due", "overdue") and r["sla_due"] is not None
                 and r["sla_due"].astimezone(day.now.tzinfo).date() <= today]
    soon = day.now + timedelta(hours=24)
    deadlines = [r for r in cases if any(d is not None and d <= soon
                                         for d in (r["platform_deadline"], r["evidence_deadline"]))]
    late = [dict(r, message=f["message"]) for r in cases for f in r["findings"] if f["code"] == "AS_REPLACEMENT_LATE"]
    return [f"<h2>{e(_('After-sales'))}</h2>",
            f"<h3>{e(_('Open cases by same-day state'))}</h3>"
            + _table([{"sla_state": k, "count": v} for k, v in sorted(states.items())], ["sla_state", "count"]),
            f"<h3>{e(_('Due today'))}</h3>"
            + _table(due_today, ["ticket_id", "case_id", "order_id", "received_at", "sla_due", "sla_state"]),
            f"<h3>{e(_('Platform deadlines in the next 24 hours'))}</h3>"
            + _table(deadlines, ["case_id", "order_id", "platform", "platform_status", "platform_deadline",
                                 "evidence_deadline"]),
            f"<h3>{e(_('Late replacements'))}</h3>" + _table(late, ["ticket_id", "order_id", "part_type", "message"]),
            f"<h3>{e(_('After-sales results'))}</h3>"
            + _table(day.aftersales_stats, ["platform", "type", "part_type", "n", "same_day_rate", "approve_hours_p50",
                                            "reship_on_time", "refunds", "refund_due_late"])]
