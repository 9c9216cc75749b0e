"""The privacy centre over HTTP: sessions, CSRF, what each page shows, who reaches what."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from tests.webui.conftest import Centre, customer_token

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.webui.session import SESSION_COOKIE

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


def log_in(client: TestClient, token: str) -> httpx.Response:
    form = client.get("/privacy/login")
    assert form.status_code == 200
    return client.post("/privacy/login", data={"csrf": csrf_of(form), "token": token})


def test_without_a_session_every_page_leads_to_the_login(centre: Centre) -> None:
    client = centre.new_client()
    for page in ("/privacy/data", "/privacy/timeline", "/privacy/choices", "/privacy/requests"):
        response = client.get(page)
        assert response.status_code == 303
        assert response.headers["location"] == "/privacy/login"
    assert client.get("/").headers["location"] == "/privacy/login"


def test_login_sets_a_strict_http_only_secure_cookie(centre: Centre) -> None:
    client = centre.new_client()
    response = log_in(client, centre.customer("fr").token)
    assert response.status_code == 303
    assert response.headers["location"] == "/privacy/data"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert {"HttpOnly", "Secure", "SameSite=strict"} <= {p.strip() for p in cookie.split(";")}
    page = client.get("/privacy/data")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Amélie" in page.text
    assert "Mes données" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "form-action 'self'" in page.headers["content-security-policy"]


def test_a_wrong_token_opens_no_session_and_a_staff_token_leads_to_the_console(
    centre: Centre,
) -> None:
    client = centre.new_client()
    refused = log_in(client, "lwf_not-a-token")
    assert refused.status_code == 401
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        advisor = auth.issue_staff_token(
            session,
            register=rt.register,
            staff_id="advisor-7",
            display_name="Advisor",
            role="advisor",
            entity="kbc-bank",
        ).token
    staff = log_in(client, advisor)
    assert staff.status_code == 303
    assert staff.headers["location"] == "/privacy/console"
    assert SESSION_COOKIE in staff.headers.get("set-cookie", "")
    console = client.get("/privacy/console")
    assert console.status_code == 200 and 'href="/privacy/console/customers"' in console.text
    with unit_of_work(rt.engine) as session:
        system = auth.issue_system_token(
            session, register=rt.register, system="card-processor", entity="kbc-bank"
        ).token
    machine = log_in(centre.new_client(), system)
    assert machine.status_code == 403 and "système du groupe" in machine.text
    assert SESSION_COOKIE not in machine.headers.get("set-cookie", "")
    # The customer's pages are not theirs: the session opens no one's data there.
    mine = client.get("/privacy/data")
    assert mine.status_code in (303, 403)
    assert "Mes données" not in mine.text and "My data" not in mine.text


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("nl").token)
    login = client.post("/privacy/login", data={"token": centre.customer("nl").token})
    assert login.status_code == 403
    for given in ({}, {"csrf": "0" * 64}):
        refused = client.post("/privacy/choices/direct-marketing", data=given)
        assert refused.status_code == 403
        assert "Formulaire refusé" in refused.text  # no session: the browser's language
    assert "Ik maak bezwaar tegen direct marketing" in client.get("/privacy/choices").text
    assert client.post("/privacy/logout", data={}).status_code == 403


def test_object_to_direct_marketing_then_withdraw(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("en").token)
    choices = client.get("/privacy/choices")
    assert "I object to direct marketing" in choices.text
    done = client.post("/privacy/choices/direct-marketing", data={"csrf": csrf_of(choices)})
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert "Done: your objection to direct marketing is recorded." in after.text
    assert "You objected to direct marketing. It has stopped." in after.text
    assert "stopped: you objected to direct marketing" in after.text
    timeline = client.get("/privacy/timeline")
    assert timeline.status_code == 200
    withdrawal = re.search(r'action="(/privacy/choices/objections/\d+/withdrawal)"', after.text)
    assert withdrawal
    back = client.post(withdrawal.group(1), data={"csrf": csrf_of(after)})
    assert back.status_code == 303
    assert "I object to direct marketing" in client.get("/privacy/choices").text


def test_another_customers_objection_is_not_found(centre: Centre) -> None:
    owner = centre.new_client()
    log_in(owner, centre.customer("nl").token)
    page = owner.get("/privacy/choices")
    owner.post("/privacy/choices/direct-marketing", data={"csrf": csrf_of(page)})
    page = owner.get("/privacy/choices")
    found = re.search(r'action="(/privacy/choices/objections/\d+/withdrawal)"', page.text)
    assert found
    intruder = centre.new_client()
    log_in(intruder, centre.customer("fr").token)
    mine = intruder.get("/privacy/choices")
    response = intruder.post(found.group(1), data={"csrf": csrf_of(mine)})
    assert response.status_code == 404
    assert "Ik maak bezwaar" not in owner.get("/privacy/choices").text
    assert intruder.post(
        "/privacy/choices/objections/99999999999/withdrawal", data={"csrf": csrf_of(mine)}
    ).status_code in (404, 422)


def test_an_expired_session_leads_back_to_the_login(centre: Centre) -> None:
    client = centre.new_client()
    person = centre.customer("fr").id
    short = customer_token(centre.runtime, person, valid_for=dt.timedelta(seconds=1))
    assert log_in(client, short).status_code == 303
    time.sleep(1.2)
    response = client.get("/privacy/data")
    assert response.status_code == 303
    assert response.headers["location"] == "/privacy/login"


def test_the_language_switch_stays_in_the_centre(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("fr").token)
    switched = client.get("/privacy/language/nl", params={"next": "/privacy/requests"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/privacy/requests"
    page = client.get("/privacy/requests")
    assert '<html lang="nl">' in page.text
    timeline = client.get("/privacy/timeline", params={"page": 1})
    assert 'href="/privacy/language/en?next=/privacy/timeline%3Fpage%3D1"' in timeline.text
    assert "Mijn verzoeken" in page.text
    for elsewhere in ("https://example.com/", "//example.com/privacy/", "/docs"):
        away = client.get("/privacy/language/en", params={"next": elsewhere})
        assert away.headers["location"] == "/privacy/data"
    assert client.get("/privacy/language/de").status_code == 404


def test_requests_show_their_deadline(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("en").token)
    assert "access to my data" not in client.get("/privacy/requests").text
    client.get("/privacy/data")  # the summary is not an access request
    assert "access to my data" not in client.get("/privacy/requests").text
    client.get("/privacy/report.html")  # the whole report is one, answered at once
    page = client.get("/privacy/requests")
    assert "access to my data" in page.text
    assert "answered" in page.text


def test_statement_and_report_downloads(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("en").token)
    statement = client.get("/privacy/statement.html")
    assert statement.status_code == 200
    assert statement.headers["content-type"].startswith("text/html")
    assert 'lang="en"' in statement.text
    report = client.get("/privacy/report.html")
    assert report.status_code == 200
    assert "Oliver" in report.text
    assert client.get("/privacy/report.doc").status_code == 404


def test_the_report_follows_the_language_chosen_without_a_false_notice(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("nl").token)
    client.get("/privacy/language/en", params={"next": "/privacy/data"})
    report = client.get("/privacy/report.html")
    assert report.status_code == 200
    assert '<html lang="en"' in report.text
    assert "We do not answer requests in" not in report.text
    data = client.get("/privacy/data")
    assert "Dutch" in data.text or "Nederlands" in data.text  # the file's language, as on file


def test_give_then_withdraw_a_consent(centre: Centre) -> None:
    client = centre.new_client()
    log_in(client, centre.customer("fr").token)
    page = client.get("/privacy/choices")
    assert "Vous présenter des offres de nos partenaires" in page.text
    assert "Vous n'avez pas donné votre accord." in page.text.replace("&#39;", "'")
    given = client.post(
        "/privacy/choices/consents/third-party-offers/given", data={"csrf": csrf_of(page)}
    )
    assert given.status_code == 303
    after = client.get(given.headers["location"]).text.replace("&#39;", "'")
    assert "C'est fait : votre accord est enregistré." in after
    assert "Vous avez donné votre accord." in after
    withdrawn = client.post(
        "/privacy/choices/consents/third-party-offers/withdrawn", data={"csrf": csrf_of(page)}
    )
    assert withdrawn.status_code == 303
    assert "Vous n'avez pas donné" in client.get("/privacy/choices").text.replace("&#39;", "'")
    # Only the purposes that rest on consent; a contract's purpose is not a click away.
    for purpose, change in (("customer-relationship", "withdrawn"), ("x", "given")):
        other = client.post(
            f"/privacy/choices/consents/{purpose}/{change}", data={"csrf": csrf_of(page)}
        )
        assert other.status_code == 404
    assert (
        client.post("/privacy/choices/consents/third-party-offers/given", data={}).status_code
        == 403
    )


def test_the_statement_rendered_by_the_demo_is_the_one_handed_out(
    centre: Centre, tmp_path: Path
) -> None:
    folder = tmp_path / "statements"
    folder.mkdir()
    (folder / "statement-kbc-brussels-en.html").write_text("<!DOCTYPE html><p>rendered</p>")
    client = centre.new_client()
    log_in(client, centre.customer("en").token)
    app = client.app
    app.state.statements = folder  # type: ignore[attr-defined]
    try:
        assert client.get("/privacy/statement.html").text == "<!DOCTYPE html><p>rendered</p>"
    finally:
        app.state.statements = None  # type: ignore[attr-defined]
    assert "rendered</p>" not in client.get("/privacy/statement.html").text


def test_a_form_with_more_fields_than_any_of_the_centre_is_refused_not_a_fault(
    centre: Centre,
) -> None:
    """A posted body of many fields (none of the centre's forms has twenty) is a client's
    fault: answered 4xx before and after login, and nothing changes."""
    client = centre.new_client()
    crowded = {f"field{i}": "x" for i in range(30)}
    before = client.post("/privacy/login", data={**crowded, "token": "lwf_x"})
    assert 400 <= before.status_code < 500
    log_in(client, centre.customer("nl").token)
    choices = client.get("/privacy/choices")
    objecting = "Ik maak bezwaar tegen direct marketing" in choices.text
    form = {**crowded, "csrf": csrf_of(choices)}
    for path in ("/privacy/choices/direct-marketing", "/privacy/assistant", "/privacy/logout"):
        refused = client.post(path, data=form)
        assert 400 <= refused.status_code < 500, path
    after = client.get("/privacy/choices")
    assert after.status_code == 200  # still logged in
    assert ("Ik maak bezwaar tegen direct marketing" in after.text) == objecting


def test_a_visit_without_the_session_cookie_does_not_end_the_session(centre: Centre) -> None:
    """A link followed from another site (webmail, a search engine) arrives without the
    SameSite=Strict cookie: the login it leads to must not delete the session the browser
    holds, which the centre's other tabs still use. A session that no longer works is ended."""
    for page in ("/privacy/data", "/privacy/console", "/privacy/dpo"):
        arriving = centre.new_client().get(page)
        assert arriving.status_code == 303, page
        assert SESSION_COOKIE not in arriving.headers.get("set-cookie", ""), page
    stale = centre.new_client()
    stale.cookies.set(SESSION_COOKIE, "lwf_no-longer-valid")
    for page in ("/privacy/data", "/privacy/console"):
        ended = stale.get(page)
        assert ended.status_code == 303
        assert f'{SESSION_COOKIE}=""' in ended.headers.get("set-cookie", ""), page


def test_logging_out_ends_the_session_for_good_and_leaves_the_token_pasted(
    centre: Centre,
) -> None:
    """The cookie holds a token of the session's own: a copy kept after logging out opens
    nothing, and the token the customer pasted still serves its other uses (the API)."""
    pasted = centre.customer("en").token
    client = centre.new_client()
    log_in(client, pasted)
    kept = client.cookies.get(SESSION_COOKIE)
    assert kept and kept != pasted
    choices = client.get("/privacy/choices")
    assert choices.status_code == 200
    out = client.post("/privacy/logout", data={"csrf": csrf_of(choices)})
    assert out.status_code == 303
    replay = centre.new_client()
    replay.cookies.set(SESSION_COOKIE, kept, path="/privacy")
    assert replay.get("/privacy/data").status_code == 303  # to the login: the session is over
    assert replay.get("/api/v1/me", headers={"Authorization": f"Bearer {kept}"}).status_code == 401
    me = centre.new_client().get("/api/v1/me", headers={"Authorization": f"Bearer {pasted}"})
    assert me.status_code == 200
