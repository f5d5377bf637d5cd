"""The report's stylesheet: the screen layout and a print layout for A4 PDFs."""

from __future__ import annotations

__all__ = ["CHART_HEIGHT", "CHART_WIDTH", "REPORT_CSS"]

#: Chart size in CSS pixels: the width of an A4 page (210 mm) less 15 mm margins each side
#: at 96 px per inch is 680 px, so a chart prints at its screen size, never cut.
CHART_WIDTH = 680
CHART_HEIGHT = 420

REPORT_CSS = """
:root { --ink: #1d2433; --muted: #5c6475; --line: #dde1ea; --accent: #3b5bdb;
        --ok: #2b8a3e; --bad: #c92a2a; --soft: #f1f3f8; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 24px; line-height: 1.45; }
h1 { margin: 0 0 4px; } h2 { margin-top: 36px; border-bottom: 1px solid var(--line); }
h3 { margin: 16px 0 4px; font-size: 1.05em; }
.meta { color: var(--muted); font-size: 0.9em; }
p.basis { background: var(--soft); border-left: 3px solid var(--accent); padding: 6px 10px; }
nav ol { columns: 2; font-size: 0.95em; }
table { border-collapse: collapse; font-size: 0.9em; max-width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
th { background: var(--soft); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td small { color: var(--muted); }
.scroll { overflow-x: auto; max-width: 100%; }
tr.small-group td { color: var(--muted); background: #fafafa; }
tr.recommended td { background: #edf7ee; font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .value { font-size: 1.8em; font-weight: 600; }
.card .name { font-weight: 600; }
.card .reading { color: var(--muted); font-size: 0.92em; }
.card.fail { border-color: var(--bad); } .card.pass { border-color: var(--ok); }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 0.8em;
         color: #fff; background: var(--muted); }
.badge.pass, tr.pass td:first-child { color: var(--ok); }
.badge.fail, tr.fail td:first-child { color: var(--bad); font-weight: 600; }
.badge.pass, .badge.fail { background: transparent; border: 1px solid currentColor; }
.notes li, .findings li, .caveats li { margin-bottom: 6px; }
.chart { max-width: 100%; overflow: hidden; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
p, li { overflow-wrap: anywhere; }

@page { size: A4; margin: 14mm 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section { break-before: page; }
  section#executive-summary { break-before: auto; }
  section.follows { break-before: auto; }
  h2, h3 { break-after: avoid; }
  nav { break-inside: avoid; }
  tr, .card, .chart, p.basis, li { break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 5px; }
  a { color: inherit; text-decoration: none; }
  .modebar-container { display: none !important; }
}
"""
