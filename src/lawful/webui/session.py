"""The privacy centre's session: the customer's own token in a cookie, and the CSRF token of
every form derived from it.

The cookie holds a token of the session's own, issued at login for the principal of the token
pasted and expiring no later than it (HttpOnly: no script reads it; Secure; SameSite=Strict: no
other site's page sends it). Logging out revokes it, so a copy of the cookie is worth nothing
afterwards, while the token pasted stays valid for its other uses. Every request authenticates
the session's token again, as the API does, so any worker of `lawful serve` answers any request.

The CSRF token is an HMAC of a fixed label keyed by the session token: per session, checked on
every POST, and impossible to compute for a page of another site, which cannot read the cookie.
The login form, which comes before any session, carries a random token matched against a cookie
of its own (double submit).

Secure cookies and plain http: browsers send Secure cookies only over https, except to origins
they consider potentially trustworthy — http://localhost and http://127.0.0.1 in Chromium and
Firefox. `make demo` serves http://127.0.0.1:8000, which works; anything else must be served
over https (a TLS-terminating proxy in front of `lawful serve`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "lawful_session"
LOGIN_COOKIE = "lawful_login"
LANGUAGE_COOKIE = "lawful_lang"
CSRF_FIELD = "csrf"
PATH = "/privacy"
_LABEL = b"lawful privacy centre: form token"
LANGUAGE_AGE = 365 * 24 * 3600


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), _LABEL, hashlib.sha256).hexdigest()


def csrf_valid(session_token: str | None, given: str | None) -> bool:
    if not session_token or not given:
        return False
    return hmac.compare_digest(csrf_token(session_token), given)


def session_token(request: Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    return value if value and len(value) <= 200 else None


def open_session(response: Response, token: str) -> None:
    """No Max-Age: the cookie goes when the browser closes; the token expires before anyway."""
    response.set_cookie(
        SESSION_COOKIE, token, path=PATH, httponly=True, secure=True, samesite="strict"
    )
    response.delete_cookie(LOGIN_COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")


def close_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")


def login_token(request: Request) -> tuple[str, bool]:
    """The login form's token: the one in the cookie, or a new one (True: set the cookie)."""
    existing = request.cookies.get(LOGIN_COOKIE)
    if existing and len(existing) == 43:
        return existing, False
    return secrets.token_urlsafe(32), True


def keep_login_token(response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, token, path=PATH, httponly=True, secure=True, samesite="strict"
    )


def login_valid(request: Request, given: str | None) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE)
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def keep_language(response: Response, lang: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        lang,
        max_age=LANGUAGE_AGE,
        path=PATH,
        httponly=True,
        secure=True,
        samesite="strict",
    )
