"""The demonstration's front page, and a small local server for everything it built."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from lawful.demo.spine import Summary

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lawful — demonstration</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.5 }
table { border-collapse: collapse; width: 100% }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left }
.ok { color: #1a7f37 } .no { color: #b42318 }
ul.files { columns: 3 }
</style></head><body>
<h1>lawful — the privacy statement is code</h1>
<p>Every statement below was rendered from the processing register; every line of the table was
decided by the policy compiled from that same register and recorded in the tamper-evident
ledger.</p>
<h2>Statements</h2>
<ul class="files">
{% for name in statements %}<li><a href="{{ name }}">{{ name }}</a></li>{% endfor %}
</ul>
<h2>Processing through the gate</h2>
<table><tr><th>What happened</th><th>Decision</th><th>Reasons / obligations</th></tr>
{% for o in s.outcomes %}<tr><td>{{ o.title }}</td>
<td class="{{ 'ok' if o.allowed else 'no' }}">{{ 'allowed' if o.allowed else 'refused' }}</td>
<td>{{ (o.reasons or o.obligations) | join(', ') }}</td></tr>
{% endfor %}</table>
<p>Bulk offer selection: allowed for {{ s.offers_allowed | join(', ') or 'nobody' }}; refused for
{% for subject, reasons in s.offers_denied.items() %}{{ subject }} ({{ reasons | join(', ') }}){{
'; ' if not loop.last }}{% endfor %}.</p>
<h2>Ledger</h2>
<p>{{ s.events }} events; checkpoint signed at sequence {{ s.checkpoint }}; {{ s.verified }}.
The key of {{ s.shredded }} was destroyed: that person's details can no longer be read, and the
chain still verifies.</p>
</body></html>
"""


def write_index(out_dir: Path, statements: list[Path], summary: Summary) -> Path:
    env = Environment(autoescape=True, undefined=StrictUndefined)
    names = sorted(p.relative_to(out_dir).as_posix() for p in statements)
    index = out_dir / "index.html"
    index.write_text(env.from_string(_PAGE).render(statements=names, s=summary), encoding="utf-8")
    return index


def serve(out_dir: Path, *, host: str, port: int) -> None:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out_dir))
    with ThreadingHTTPServer((host, port), handler) as server:
        server.serve_forever()
