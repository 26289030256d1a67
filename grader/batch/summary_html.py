"""summary.html: one self-contained page (no JavaScript, no external files) that also prints.

Students × steps heatmap, per-check pass rates (hardest first), and who could not be graded.
Every value from a roster, a lab or a cluster goes through html.escape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from labcheck import __version__
from labcheck.batch.gradebook import number, step_ids
from labcheck.batch.record import StudentRecord
from labcheck.core.i18n import Lang, tr
from labcheck.core.results import Outcome

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:center}
th.who,td.who{text-align:left}
td.p0{background:#f4b6b6}td.p1{background:#f8d3a8}td.p2{background:#f9eea5}td.p3{background:#cfe8a9}
td.p4{background:#8fd19e}
td.err{background:repeating-linear-gradient(45deg,#ddd,#ddd 4px,#fff 4px,#fff 8px);font-weight:bold}
.bar{display:inline-block;height:.8em;background:#4a7;vertical-align:middle}
.track{display:inline-block;width:10em;background:#eee;margin-right:.5em}
.note{color:#444}
@media print{body{margin:0;font-size:9pt}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
tr{page-break-inside:avoid}}
"""


def _bucket(score: float, max_score: float) -> str:
    if max_score <= 0:
        return "p4"
    ratio = score / max_score
    return "p4" if ratio >= 1 - 1e-9 else "p3" if ratio >= 0.8 else "p2" if ratio >= 0.5 else \
        "p1" if ratio > 0 else "p0"


def _cell(score: float, max_score: float, ungraded: float, lang: Lang) -> str:
    if ungraded > 0:
        return f'<td class="err">{escape(tr("html.error_cell", lang))}</td>'
    return f'<td class="{_bucket(score, max_score)}">{number(score)}/{number(max_score)}</td>'


def _heatmap(records: Sequence[StudentRecord], steps: list[str], lang: Lang) -> list[str]:
    out = ["<table>", "<thead><tr>", f'<th class="who">{escape(tr("html.student", lang))}</th>']
    out += [f"<th>{escape(s)}</th>" for s in steps]
    out += [f'<th>{escape(tr("html.total", lang))}</th>', "</tr></thead><tbody>"]
    for record in records:
        who = escape(record.id) + (" " + escape(str(record.student.get("name", ""))))
        row = [f'<tr><td class="who">{who}</td>']
        by_step = {s.step_id: s for s in record.run.steps}
        for step_id in steps:
            step = by_step.get(step_id)
            row.append("<td></td>" if step is None else
                       _cell(step.score, step.max_score, step.ungraded_points, lang))
        run = record.run
        ungraded = run.ungraded_points + (1 if run.cluster_problem is not None else 0)
        row.append(_cell(run.score, run.max_score, ungraded, lang) + "</tr>")
        out.append("".join(row))
    out.append("</tbody></table>")
    return out


def _pass_rates(records: Sequence[StudentRecord], lang: Lang) -> list[str]:
    stats: dict[tuple[str, str], list[int]] = {}  # (step, check) -> [passed, graded, errors]
    titles: dict[tuple[str, str], str] = {}
    for record in records:
        for c in record.run.checks:
            key = (c.step_id, c.check_id)
            entry = stats.setdefault(key, [0, 0, 0])
            titles.setdefault(key, c.title.get(lang))
            if not c.graded:
                entry[2] += 1
                continue
            entry[1] += 1
            entry[0] += c.outcome is Outcome.PASSED
    order = sorted(stats, key=lambda k: (stats[k][0] / stats[k][1] if stats[k][1] else 2.0, k))
    out = ["<table>", f'<thead><tr><th class="who">{escape(tr("html.check", lang))}</th>'
           f'<th>{escape(tr("html.pass_rate", lang))}</th><th>{escape(tr("html.errors", lang))}</th>'
           "</tr></thead><tbody>"]
    for key in order:
        passed, graded, errors = stats[key]
        pct = 100.0 * passed / graded if graded else 0.0
        bar = f'<span class="track"><span class="bar" style="width:{pct:.0f}%"></span></span>'
        label = f"{escape(key[0])} {escape(key[1])}: {escape(titles[key])}"
        out.append(f'<tr><td class="who">{label}</td><td class="who">{bar}{passed}/{graded} '
                   f"({pct:.0f}%)</td><td>{errors}</td></tr>")
    out.append("</tbody></table>")
    return out


def summary_html(records: Sequence[StudentRecord], lang: Lang, now: dt.datetime | None = None) -> str:
    records = sorted(records, key=lambda r: r.index)
    lab = records[0].run.lab_title.get(lang) if records else ""
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    title = escape(tr("html.title", lang, lab=lab))
    errored = [r for r in records if r.has_error]
    generated = tr("html.generated", lang, students=len(records), when=when, version=__version__)
    html_lang = "zh-CN" if lang == "zh" else "en"
    out = ["<!DOCTYPE html>", f'<html lang="{html_lang}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{title}</title><style>{CSS}</style></head><body>", f"<h1>{title}</h1>",
           f'<p class="note">{escape(generated)}</p>',
           f'<h2>{escape(tr("html.heatmap", lang))}</h2>',
           f'<p class="note">{escape(tr("html.legend", lang))}</p>']
    out += _heatmap(records, step_ids(records), lang)
    out += [f'<h2>{escape(tr("html.checks", lang))}</h2>']
    out += _pass_rates(records, lang)
    out += [f'<h2>{escape(tr("html.errors", lang))}: {len(errored)}</h2>']
    if errored:
        out.append(f"<p>{escape(tr('html.error_count', lang, count=len(errored)))}</p><ul>")
        for r in errored:
            problem = r.run.cluster_problem.get(lang) if r.run.cluster_problem else next(
                (c.message.get(lang) for c in r.run.checks if not c.graded), "")
            out.append(f"<li>{escape(r.id)}: {escape(problem)}</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
