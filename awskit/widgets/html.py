"""HTML pieces the widgets share: one stylesheet, tables, badges, inline SVG, the DOT fallback.

Plain strings, no ipywidgets: a widget shows them by setting an ``HTML`` widget's ``value``.
Every class name starts with ``awskit-`` so the stylesheet touches nothing else on the page,
and a browser test can find the parts.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, Sequence

FONT = ('-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif')
MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace'

#: the stylesheet every awskit widget carries (in a hidden HTML widget of its own)
CSS = f"""
.awskit-widget {{ font-family: {FONT}; font-size: 14px; color: #16191F; max-width: 1100px; }}
.awskit-widget .widget-html-content {{ font-family: {FONT}; font-size: 14px; line-height: 1.45; }}
.awskit-header {{ background: #232F3E; color: #FFFFFF; padding: 10px 14px; border-radius: 8px;
  display: flex; flex-wrap: wrap; gap: 6px 22px; align-items: baseline; }}
.awskit-header .awskit-title {{ font-size: 17px; font-weight: 600; }}
.awskit-header .awskit-meta {{ color: #D5DBDB; font-size: 13px; }}
.awskit-header .awskit-cost {{ color: #FF9900; font-weight: 600; margin-left: auto; }}
.awskit-section {{ font-size: 15px; font-weight: 600; margin: 14px 0 4px 0; color: #232F3E;
  border-bottom: 2px solid #EAEDED; padding-bottom: 3px; }}
.awskit-section .awskit-count {{ color: #687078; font-weight: 400; font-size: 13px; }}
table.awskit-table {{ border-collapse: collapse; font-size: 13px; margin: 2px 0 6px 0;
  min-width: 50%; }}
table.awskit-table th {{ background: #F2F3F3; color: #414750; text-align: left; font-weight: 600;
  padding: 5px 12px; border-bottom: 1px solid #D5DBDB; white-space: nowrap; }}
table.awskit-table td {{ padding: 4px 12px; border-bottom: 1px solid #EAEDED;
  vertical-align: top; }}
table.awskit-table tr:hover td {{ background: #F7FAFF; }}
table.awskit-table td.awskit-num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.awskit-table td.awskit-code {{ font-family: {MONO}; font-size: 12px; }}
.awskit-scroll {{ max-height: 330px; overflow-y: auto; display: inline-block; min-width: 50%;
  border-bottom: 1px solid #EAEDED; }}
.awskit-scroll table.awskit-table {{ margin: 0; width: 100%; }}
.awskit-scroll table.awskit-table th {{ position: sticky; top: 0; z-index: 1; }}
.awskit-empty {{ color: #687078; font-style: italic; padding: 4px 2px; }}
.awskit-more {{ color: #687078; font-size: 12px; }}
.awskit-ok {{ color: #1D8102; }}
.awskit-err {{ color: #D13212; font-weight: 600; }}
.awskit-status {{ min-height: 1.4em; font-size: 13px; padding: 2px 2px; }}
.awskit-status .awskit-err {{ font-weight: 600; }}
.awskit-badge {{ display: inline-block; padding: 2px 10px; border-radius: 12px; color: #FFFFFF;
  font-weight: 600; font-size: 13px; }}
.awskit-badge.awskit-allowed {{ background: #1D8102; }}
.awskit-badge.awskit-explicitDeny {{ background: #D13212; }}
.awskit-badge.awskit-implicitDeny {{ background: #B7740F; }}
.awskit-diagram {{ width: 100%; }}
.awskit-diagram .widget-html-content {{ width: 100%; }}
.awskit-diagram svg {{ display: block; margin: 0 auto; max-width: 100%; height: auto; }}
.awskit-figure {{ border: 1px solid #D5DBDB; border-radius: 8px; padding: 8px;
  background: #FFFFFF; }}
pre.awskit-dot, pre.awskit-policy {{ font-family: {MONO}; font-size: 12px; background: #F8F8F8;
  border: 1px solid #EAEDED; border-radius: 6px; padding: 8px 10px; overflow-x: auto;
  white-space: pre; line-height: 1.4; margin: 4px 0; }}
.awskit-hint {{ color: #8D6605; font-size: 13px; }}
mark.awskit-deciding {{ background: #FFE3A8; color: inherit; font-weight: 600;
  border-radius: 2px; padding: 1px 0; }}
.awskit-caption {{ width: 100%; margin-top: 6px; }}
.awskit-caption-box {{ display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px;
  padding: 8px 12px; background: #F7F8F8; border-left: 4px solid #FF9900; border-radius: 4px;
  font-size: 15px; }}
.awskit-stepno {{ font-weight: 700; color: #232F3E; white-space: nowrap; }}
.awskit-chip {{ display: inline-block; padding: 1px 9px; border: 1.5px solid; border-radius: 10px;
  font-weight: 600; font-size: 13px; white-space: nowrap; }}
.awskit-action {{ flex: 1 1 300px; word-break: break-word; }}
.awskit-time {{ color: #545B64; font-size: 13px; white-space: nowrap;
  font-variant-numeric: tabular-nums; }}
.awskit-controls, .awskit-row {{ align-items: center; gap: 8px; }}
.awskit-step-through .awskit-slider {{ flex: 1 1 auto; }}
.awskit-details summary {{ cursor: pointer; color: #0972D3; font-size: 13px; }}
"""

MAX_ROWS = 100   # rows a table shows; the rest are counted under it


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def style_block() -> str:
    return f"<style>{CSS}</style>"


def table(columns: Sequence[str], rows: Iterable[Sequence], *, numeric: Iterable[int] = (),
          code: Iterable[int] = (), empty: str = "none", total: int | None = None,
          max_rows: int = MAX_ROWS, css: str = "") -> str:
    """An HTML table; ``numeric``/``code`` are the indexes of right-aligned / monospace columns.

    Cells are escaped unless they are :class:`Raw`. ``total`` (when more rows exist than
    were passed) or ``max_rows`` adds a "… and N more" line.
    """
    rows = list(rows)
    if not rows:
        return f'<div class="awskit-empty">{esc(empty)}</div>'
    numeric, code = set(numeric), set(code)
    shown = rows[:max_rows]
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for row in shown:
        cells = []
        for i, cell in enumerate(row):
            cls = "awskit-num" if i in numeric else "awskit-code" if i in code else ""
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr}>{cell if isinstance(cell, Raw) else esc(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (total if total is not None else len(rows)) - len(shown)
    tail = f'<div class="awskit-more">… and {more:,} more</div>' if more > 0 else ""
    return (f'<table class="awskit-table {css}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{tail}')


class Raw(str):
    """A table cell that is already HTML."""


def scroll(inner: str) -> str:
    """A long table in a box that scrolls (its header row stays in view)."""
    if "<table" not in inner:
        return inner
    return f'<div class="awskit-scroll">{inner}</div>'


def section(title: str, count: str = "") -> str:
    extra = f' <span class="awskit-count">{esc(count)}</span>' if count else ""
    return f'<div class="awskit-section">{esc(title)}{extra}</div>'


def status(text: str, *, error: bool = False) -> str:
    """The status line under a console's controls: what the last action did, or why it failed."""
    if not text:
        return ""
    cls = "awskit-err" if error else "awskit-ok"
    mark = "✗ " if error else "✓ "
    return f'<span class="{cls}">{mark}{esc(text)}</span>'


_SVG_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def inline_svg(svg: str, *, scale: float = 1.0) -> str:
    """Graphviz's SVG made fit for inline HTML: no XML prologue, as wide as the page allows
    but no wider than ``scale`` times its natural size, its aspect ratio kept (viewBox)."""
    start = svg.find("<svg")
    if start > 0:
        svg = svg[start:]
    match = _SVG_SIZE.match(svg)
    if match:
        width_px = float(match.group(2)) * 4 / 3 * scale
        svg = (f'<svg{match.group(1)} width="{width_px:.0f}" '
               f'style="width:100%;max-width:{width_px:.0f}px;height:auto"' + svg[match.end():])
    return svg


def dot_fallback(source: str, hint: str) -> str:
    """What a diagram shows when no Graphviz renderer is available: the hint and the DOT."""
    return (f'<div class="awskit-hint">{esc(hint)}</div>'
            f'<pre class="awskit-dot">{esc(source)}</pre>')


def diagram_html(svg: str | None, source: str, *, hint: str, scale: float = 1.0) -> str:
    """A diagram as HTML: the inline SVG, or the DOT source with the install hint."""
    if svg is None:
        return f'<div class="awskit-figure">{dot_fallback(source, hint)}</div>'
    return f'<div class="awskit-figure">{inline_svg(svg, scale=scale)}</div>'


def highlight_span(text: str, start: int, end: int) -> str:
    """``text`` escaped, with ``text[start:end]`` wrapped in a highlighting ``<mark>``."""
    return (esc(text[:start]) + '<mark class="awskit-deciding">' + esc(text[start:end])
            + "</mark>" + esc(text[end:]))
