"""What the board serves: the class as JSON, and HTML pages readable without JavaScript.

Every string that came from the cluster, the roster or the lab goes through html.escape; the
page's script only sets textContent and class names from the event stream.
"""

from __future__ import annotations

from html import escape
from typing import Any

from labcheck.board.state import Board, Row
from labcheck.core.i18n import Lang, tr
from labcheck.core.results import CheckResult, Outcome


def _scored(checks: tuple[CheckResult, ...]) -> list[CheckResult]:
    return [c for c in checks if c.points > 0] or list(checks)


def cell(row: Row, step_id: str) -> dict[str, Any]:
    step = next((s for s in row.result.steps if s.step_id == step_id), None) if row.result else None
    if step is None:
        return {"state": "waiting", "passed": 0, "total": 0}
    scored = _scored(step.checks)
    passed = sum(c.outcome is Outcome.PASSED for c in scored)
    if passed == len(scored):
        state = "passed"
    elif any(c.outcome is Outcome.ERROR and not c.graded for c in scored):
        state = "error"
    else:
        state = "partial" if passed else "todo"
    return {"state": state, "passed": passed, "total": len(scored)}


def display_name(row: Row, projector: bool, lang: Lang) -> str:
    return tr("board.student", lang, number=row.index + 1) if projector else row.name


def student_json(board: Board, row: Row, projector: bool, lang: Lang) -> dict[str, Any]:
    return {"index": row.index, "id": None if projector else row.id,
            "name": display_name(row, projector, lang),
            "namespace": None if projector else row.target.namespace, "stuck": board.stuck(row),
            "steps": {s: cell(row, s) for s in board.step_ids},
            "percent": row.result.percent if row.result else None}


def pass_rates(board: Board, lang: Lang) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], list[int]] = {}
    titles: dict[tuple[str, str], str] = {}
    for row in board.rows:
        for check in row.result.checks if row.result else ():
            key = (check.step_id, check.check_id)
            titles[key] = check.title.get(lang)
            counts.setdefault(key, [0, 0])
            counts[key][0] += check.outcome is Outcome.PASSED
            counts[key][1] += 1
    return [{"step": s, "check": c, "title": titles[(s, c)], "passed": p, "total": t,
             "rate": round(p / t, 3) if t else None} for (s, c), (p, t) in counts.items()]


def class_json(board: Board, projector: bool, lang: Lang, since: int = -1) -> dict[str, Any]:
    lab = board.lab
    return {"lab": lab.id, "title": lab.spec.title.get(lang), "version": board.version,
            "steps": [{"id": s, "title": lab.step(s).title.get(lang)} for s in board.step_ids],
            "students": [student_json(board, r, projector, lang) for r in board.rows if r.version > since],
            "checks": pass_rates(board, lang)}


STYLE = """body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:.2em .5em;text-align:center}td.name{text-align:left}
.passed{background:#b7e1b0}.partial{background:#f6e3a1}.todo{background:#eee}.error{background:#f4b6b6}
.waiting{background:#fff}.stuck{outline:3px solid #c00}nav a{margin-right:1em}
@media print{nav,.noprint{display:none}td,th{border-color:#000}}"""

SCRIPT = """const es=new EventSource(document.body.dataset.events);
es.addEventListener('class',e=>{const d=JSON.parse(e.data);for(const s of d.students){
for(const[step,c]of Object.entries(s.steps)){const td=document.getElementById('c-'+s.index+'-'+step);
if(td){td.className=c.state;td.textContent=c.passed+'/'+c.total;}}
const tr=document.getElementById('r-'+s.index);if(tr){tr.className=s.stuck?'stuck':'';}
const st=document.getElementById('s-'+s.index);if(st){st.textContent=s.stuck||'';}}
for(const c of d.checks){const td=document.getElementById('p-'+c.step+'-'+c.check);
if(td){td.textContent=c.passed+'/'+c.total;}}});"""


def page(board: Board, projector: bool, lang: Lang) -> str:
    data = class_json(board, projector, lang)
    query = "?projector=1" if projector else ""
    e = escape
    head = "".join(f"<th>{e(s['id'])}<br><small>{e(s['title'])}</small></th>" for s in data["steps"])
    rows = []
    for s in data["students"]:
        cells = "".join(f'<td id="c-{s["index"]}-{e(k)}" class="{v["state"]}">{v["passed"]}/{v["total"]}</td>'
                        for k, v in s["steps"].items())
        link = f'student/{s["index"]}{query}'
        rows.append(f'<tr id="r-{s["index"]}" class="{"stuck" if s["stuck"] else ""}">'
                    f'<td class="name"><a href="{link}">{e(s["name"])}</a></td>{cells}'
                    f'<td id="s-{s["index"]}">{e(s["stuck"] or "")}</td></tr>')
    rates = "".join(f'<tr><td class="name">{e(c["step"])} / {e(c["check"])}: {e(c["title"])}</td>'
                    f'<td id="p-{e(c["step"])}-{e(c["check"])}">{c["passed"]}/{c["total"]}</td></tr>'
                    for c in data["checks"])
    toggle = "?projector=0" if projector else "?projector=1"
    events = f"api/events?projector={int(projector)}"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<title>{e(data["title"])}</title><style>{STYLE}</style></head>'
            f'<body data-events="{e(events)}">'
            f'<h1>{e(data["title"])}</h1><nav class="noprint"><a href="{e(toggle)}">'
            f'{e(tr("board.projector_off" if projector else "board.projector_on", lang))}</a>'
            f'<a href="api/class">JSON</a></nav>'
            f'<table id="class"><thead><tr><th>{e(tr("board.students", lang))}</th>{head}'
            f'<th>{e(tr("board.stuck", lang))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<h2>{e(tr("board.pass_rates", lang))}</h2><table id="rates">{rates}</table>'
            f"<script>{SCRIPT}</script></body></html>")


def student_page(board: Board, row: Row, projector: bool, lang: Lang) -> str:
    e = escape
    name = e(display_name(row, projector, lang))
    items = []
    for c in row.result.checks if row.result else ():
        hint = c.hint.get(lang) if c.hint and c.outcome is not Outcome.PASSED else ""
        state = "passed" if c.outcome is Outcome.PASSED else "todo"
        items.append(f'<tr class="{state}"><td>{e(c.step_id)}</td>'
                     f'<td class="name">{e(c.title.get(lang))}</td><td>{e(c.outcome.value)}</td>'
                     f'<td class="name">{e(c.message.get(lang))}</td><td class="name">{e(hint)}</td></tr>')
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{name}</title>'
            f"<style>{STYLE}</style></head><body><h1>{name}</h1>"
            f'<nav class="noprint"><a href="../{"?projector=1" if projector else ""}">'
            f'{e(tr("board.back", lang))}</a></nav><table id="checks">{"".join(items)}</table></body></html>')
