"""summary.html: one self-contained page (no JavaScript, no external files) that also prints.

Students × steps heatmap, per-check pass rates (hardest first), and who could not be graded.
Every value from a roster, a lab or a cluster goes through html.escape.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from html import escape
from typing import TextIO

from labcheck import __version__
from labcheck.batch.brief import Brief, ClassHead
from labcheck.batch.gradebook import number
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


class SummaryWriter:
    """summary.html written as the students come, in roster order: the heatmap row by row; pass
    rates and who could not be graded (a few numbers per check, a line per such student) at the end."""

    def __init__(self, stream: TextIO, head: ClassHead, lang: Lang, now: dt.datetime | None = None) -> None:
        self.stream, self.head, self.lang = stream, head, lang
        self.stats: dict[tuple[str, str], list[int]] = {}  # (step, check) -> [passed, graded, errors]
        self.titles: dict[tuple[str, str], str] = {}
        self.errored: list[tuple[str, str]] = []  # id, why it could not be graded
        lab = head.lab_title.get(lang) if head.lab_title else ""
        when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
        title = escape(tr("html.title", lang, lab=lab))
        generated = tr("html.generated", lang, students=head.students, when=when, version=__version__)
        html_lang = "zh-CN" if lang == "zh" else "en"
        self._lines(["<!DOCTYPE html>", f'<html lang="{html_lang}"><head><meta charset="utf-8">',
                     '<meta name="viewport" content="width=device-width, initial-scale=1">',
                     f"<title>{title}</title><style>{CSS}</style></head><body>", f"<h1>{title}</h1>",
                     f'<p class="note">{escape(generated)}</p>',
                     f'<h2>{escape(tr("html.heatmap", lang))}</h2>',
                     f'<p class="note">{escape(tr("html.legend", lang))}</p>',
                     "<table>", "<thead><tr>", f'<th class="who">{escape(tr("html.student", lang))}</th>'])
        self._lines([f"<th>{escape(s)}</th>" for s in head.steps])
        self._lines([f'<th>{escape(tr("html.total", lang))}</th>', "</tr></thead><tbody>"])

    def _lines(self, lines: list[str]) -> None:
        self.stream.write("".join(line + "\n" for line in lines))

    def add(self, record: StudentRecord) -> None:
        lang, run = self.lang, record.run
        who = escape(record.id) + (" " + escape(str(record.student.get("name", ""))))
        row = [f'<tr><td class="who">{who}</td>']
        by_step = {s.step_id: s for s in run.steps}
        for step_id in self.head.steps:
            step = by_step.get(step_id)
            row.append("<td></td>" if step is None else
                       _cell(step.score, step.max_score, step.ungraded_points, lang))
        ungraded = run.ungraded_points + (1 if run.cluster_problem is not None else 0)
        row.append(_cell(run.score, run.max_score, ungraded, lang) + "</tr>")
        self._lines(["".join(row)])
        for c in run.checks:
            key = (c.step_id, c.check_id)
            entry = self.stats.setdefault(key, [0, 0, 0])
            self.titles.setdefault(key, c.title.get(lang))
            if not c.graded:
                entry[2] += 1
                continue
            entry[1] += 1
            entry[0] += c.outcome is Outcome.PASSED
        if record.has_error:
            problem = run.cluster_problem.get(lang) if run.cluster_problem else next(
                (c.message.get(lang) for c in run.checks if not c.graded), "")
            self.errored.append((record.id, problem))

    def end(self) -> None:
        lang, stats = self.lang, self.stats
        out = ["</tbody></table>", f'<h2>{escape(tr("html.checks", lang))}</h2>']
        order = sorted(stats, key=lambda k: (stats[k][0] / stats[k][1] if stats[k][1] else 2.0, k))
        out += ["<table>", f'<thead><tr><th class="who">{escape(tr("html.check", lang))}</th>'
                f'<th>{escape(tr("html.pass_rate", lang))}</th><th>{escape(tr("html.errors", lang))}</th>'
                "</tr></thead><tbody>"]
        for key in order:
            passed, graded, errors = stats[key]
            pct = 100.0 * passed / graded if graded else 0.0
            bar = f'<span class="track"><span class="bar" style="width:{pct:.0f}%"></span></span>'
            label = f"{escape(key[0])} {escape(key[1])}: {escape(self.titles[key])}"
            out.append(f'<tr><td class="who">{label}</td><td class="who">{bar}{passed}/{graded} '
                       f"({pct:.0f}%)</td><td>{errors}</td></tr>")
        out.append("</tbody></table>")
        out += [f'<h2>{escape(tr("html.errors", lang))}: {len(self.errored)}</h2>']
        if self.errored:
            out.append(f"<p>{escape(tr('html.error_count', lang, count=len(self.errored)))}</p><ul>")
            out += [f"<li>{escape(sid)}: {escape(problem)}</li>" for sid, problem in self.errored]
            out.append("</ul>")
        out.append("</body></html>")
        self._lines(out)


def summary_html(records: Sequence[StudentRecord], lang: Lang, now: dt.datetime | None = None) -> str:
    """The page for a class in memory (outputs.write_class streams it from the record files)."""
    ordered = sorted(records, key=lambda r: r.index)
    out = io.StringIO()
    page = SummaryWriter(out, ClassHead.of([Brief.of(r) for r in ordered]), lang, now)
    for record in ordered:
        page.add(record)
    page.end()
    return out.getvalue()
