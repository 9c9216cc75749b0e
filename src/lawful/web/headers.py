"""The security headers every response carries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Personal data must not be kept by browsers or shared caches, nor framed, sniffed or leaked
# through a referrer. The API's documents (JSON, PDF, the HTML access report with its inline style)
# load nothing.
API_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The documentation's script and style are served by the app itself; its page starts the UI with
# an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# The privacy centre's pages: their own stylesheet, no script, forms posted to the centre only.
PAGES_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def security_headers(
    path: str, docs_paths: Iterable[str], page_paths: Iterable[str] = ()
) -> Mapping[str, str]:
    if any(path == p or path.startswith(p + "/") for p in docs_paths):
        return {**_COMMON, "Content-Security-Policy": DOCS_CSP}
    if any(path == p or path.startswith(p + "/") for p in page_paths):
        return {**_COMMON, "Content-Security-Policy": PAGES_CSP, "Cache-Control": "no-store"}
    return {**_COMMON, "Content-Security-Policy": API_CSP, "Cache-Control": "no-store"}
