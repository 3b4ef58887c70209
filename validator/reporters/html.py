"""One self-contained HTML page (inline CSS and JS, no network): a section per file or scenario.

A section with a :class:`~validator.timeline.Timeline` draws the stream as a person reads it:
one column (lane) per part of the answer — the response, each item and part, each chat choice
and tool call — with the events down the page, each finding pinned to its event and linked to
its rule's doc at the bottom of the page, and each lane's accumulated text.  Without a timeline
(a ``--report html=…`` of reports alone) a section lists the findings.  Every piece of stream
content is HTML-escaped (and control characters shown escaped), so a capture cannot inject
markup or script.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from ..result import StreamReport, Violation
from ..rules import RULES
from ..timeline import Lane, Row, Timeline
from ._common import counts, position, totals
from ._safe import printable

__all__ = ["render"]

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #d0d7de}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.facts{color:#57606a}.ok{color:#1a7f37}.bad{color:#cf222e}
table.timeline{border-collapse:collapse;margin:.5em 0}
table.timeline th,table.timeline td{border:1px solid #d0d7de;padding:2px 6px;vertical-align:top}
table.timeline th{background:#f6f8fa;position:sticky;top:0;text-align:left}
td.ev{background:#ddf4ff}td.ev.hit{background:#ffebe9}td.at{color:#57606a;text-align:right}
.run{color:#57606a}
a.finding{display:inline-block;margin-left:4px;padding:0 4px;border-radius:3px;color:#fff;
text-decoration:none;font-weight:600}
.error{background:#cf222e}.warning{background:#9a6700}.info{background:#0969da}
ul.findings li{margin:2px 0}
.lanetext{white-space:pre-wrap;border:1px solid #d0d7de;padding:6px;max-height:16em;overflow:auto}
.rule{border:1px solid #d0d7de;padding:0 1em;margin:1em 0}.rule:target{border-color:#0969da;
box-shadow:0 0 0 3px #b6e3ff}
body.only-findings tr.quiet{display:none}
"""

_SCRIPT = """
(function(){
  var rows=document.querySelectorAll('tr.event'),hits=document.querySelectorAll('td a.finding');
  var box=document.getElementById('only-findings');
  box.addEventListener('change',function(){
    document.body.classList.toggle('only-findings',box.checked);});
  document.getElementById('drawn').textContent=rows.length+' rows drawn, '+hits.length+
    ' findings pinned to events';
  document.body.setAttribute('data-ready','1');
})();
"""


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False,
           timelines: Mapping[int, Timeline] | None = None) -> str:
    """The page for ``reports``; ``timelines`` maps a report's position to its timeline."""
    timelines = timelines or {}
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width">',
             "<title>stream-validator report</title>", f"<style>{_STYLE}</style></head><body>",
             "<h1>stream-validator</h1>",
             f'<p class="facts">{_e(totals(reports))}. <span id="drawn"></span></p>',
             '<label><input type="checkbox" id="only-findings"> only events with findings'
             "</label>"]
    for number, report in enumerate(reports):
        parts += _section(number, report, timelines.get(number))
    fired = sorted({v.code for r in reports for v in r.violations}, key=list(RULES).index)
    if fired:
        parts.append("<h2>Rules</h2>")
        parts += [_rule(code) for code in fired]
    parts += [f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _section(number: int, report: StreamReport, timeline: Timeline | None) -> list[str]:
    verdict = "bad" if report.errors else "ok"
    facts = (f"{report.format or '?'}, {report.kind or '?'}, profile {report.profile}, "
             f"{report.events} events")
    if report.check is not None:
        facts += f", HTTP {report.check.get('http_status') or '-'}"
    out = [f'<section class="stream" id="s{number}">',
           f"<h2>{_e(report.path)}</h2>",
           f'<p class="facts">{_e(facts)} · <span class="{verdict}">{_e(counts([report]))}'
           "</span></p>"]
    if timeline is not None and timeline.rows:
        out += _table(number, timeline)
    drawn = {row.index for row in timeline.rows} if timeline is not None else set()
    if report.violations:
        out.append('<ul class="findings">')
        out += [_finding_item(number, v, v.event_index in drawn)
                for v in sorted(report.violations, key=Violation.sort_key)]
        out.append("</ul>")
    else:
        out.append('<p class="ok">no findings</p>')
    if timeline is not None:
        out += [_lane_text(lane) for lane in timeline.lanes if lane.text]
    out.append("</section>")
    return out


def _table(number: int, timeline: Timeline) -> list[str]:
    column = {lane.key: i for i, lane in enumerate(timeline.lanes)}
    out = ['<table class="timeline"><thead><tr><th>line</th>',
           *(f'<th class="lane">{_e(lane.label)}</th>' for lane in timeline.lanes),
           "</tr></thead><tbody>"]
    for row in timeline.rows:
        cells = ["<td></td>"] * len(timeline.lanes)
        cells[column[row.lane]] = _event_cell(row)
        quiet = "" if row.findings else " quiet"
        out.append(f'<tr class="event{quiet}" id="s{number}-e{row.index}">'
                   f'<td class="at">{row.line if row.line is not None else ""}</td>'
                   + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if timeline.undrawn:
        out.append(f'<p class="run">{timeline.undrawn} later events not drawn (the page '
                   "stays small); their findings are listed below.</p>")
    return out


def _event_cell(row: Row) -> str:
    text = f'<span class="mono">{_e(row.type)}</span>'
    if row.count > 1:
        text += (f' <span class="run">× {row.count} (lines {row.line}–{row.last_line})</span>'
                 if row.line is not None else f' <span class="run">× {row.count}</span>')
    badges = "".join(
        f'<a class="finding {v.severity}" href="#rule-{v.code}" title="{_e(v.message)}">'
        f"{v.code}</a>" for v in row.findings)
    return f'<td class="ev{" hit" if row.findings else ""}">{text}{badges}</td>'


def _finding_item(number: int, v: Violation, drawn: bool) -> str:
    where = _e(position(v))
    if drawn:
        where = f'<a href="#s{number}-e{v.event_index}">{where}</a>'
    return (f'<li>{where}: <a class="finding {v.severity}" href="#rule-{v.code}">{v.code}</a> '
            f"[{v.severity}] {_e(v.message)} <code>({v.name})</code></li>")


def _lane_text(lane: Lane) -> str:
    more = (f' <span class="run">(and {lane.more_chars} more characters)</span>'
            if lane.more_chars else "")
    return (f"<h3>{_e(lane.label)}: accumulated text{more}</h3>"
            f'<div class="lanetext">{_text(lane.text)}</div>')


def _rule(code: str) -> str:
    rule = RULES[code]
    return (f'<div class="rule" id="rule-{code}"><h3>{code} {_e(rule.name)}</h3>'
            f"<p>{_e(rule.summary)}.</p><pre>{_e(rule.doc)}</pre></div>")


def _e(text: str) -> str:
    """Escaped for HTML, control characters shown as escapes."""
    return html.escape(printable(text))


def _text(text: str) -> str:
    """Accumulated answer text: its line breaks and tabs kept, every other control escaped."""
    return "\n".join(_e(line).replace("\\x09", "\t") for line in text.split("\n"))
