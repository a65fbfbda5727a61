"""The officer console in-process (Starlette's TestClient over the real app and a real SQLite file):
accounts, sessions, CSRF, throttling, escaping, headers, the queue's actions and what they cause."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator

import pytest
from console_support import PASSWORD, add_officers, ask, thumbs_down
from sqlalchemy import select, update
from starlette.testclient import TestClient

from bot import officers, ui_text
from bot.advisor import Advisor
from bot.config import Settings
from bot.i18n import Translator
from bot.officer_console.app import Console
from bot.officer_console.security import COOKIE
from bot.storage.models import (
    AuditEntry,
    LoginAttempt,
    Officer,
    OfficerSession,
    OutboxMessage,
    Review,
    VerifiedAnswer,
)
from bot.storage.repository import Identity


@pytest.fixture
def console(advisor: Advisor, settings: Settings, translator: Translator) -> Iterator[TestClient]:
    add_officers(advisor.sessions)
    app = Console(settings, advisor.sessions, translator).app()
    with TestClient(app, base_url="https://console.test") as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def login(client: TestClient, username: str = "asha", password: str = PASSWORD) -> int:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf": _csrf(page.text), "username": username, "password": password},
        follow_redirects=False,
    )
    return response.status_code


def test_passwords_are_argon2id_and_checked(advisor: Advisor) -> None:
    with advisor.sessions.begin() as session:
        asha = officers.add(session, "asha", PASSWORD)
        assert asha.password_hash.startswith("$argon2id$") and PASSWORD not in asha.password_hash
        assert officers.authenticate(session, "ASHA ", PASSWORD) is asha
        assert officers.authenticate(session, "asha", PASSWORD + "x") is None
        assert officers.authenticate(session, "nobody", PASSWORD) is None
        with pytest.raises(officers.AccountError):
            officers.add(session, "short", "2short")
        with pytest.raises(officers.AccountError):
            officers.add(session, "asha", PASSWORD)  # taken
        officers.disable(session, asha)
        assert officers.authenticate(session, "asha", PASSWORD) is None


def test_every_page_needs_a_login(console: TestClient) -> None:
    for path in ["/", "/review/1", "/verified", "/search", "/search.csv", "/dashboard"]:
        response = console.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/login"), path


def test_login_issues_a_new_session_and_logout_ends_it(console: TestClient, advisor: Advisor) -> None:
    console.cookies.set(COOKIE, "planted-by-an-attacker", domain="console.test")
    page = console.get("/login")
    response = console.post(
        "/login",
        data={"csrf": _csrf(page.text), "username": "asha", "password": PASSWORD},
        follow_redirects=False,
    )
    token = response.cookies.get(COOKIE)
    assert token and token != "planted-by-an-attacker"
    console.cookies.clear()
    console.cookies.set(COOKIE, token, domain="console.test")
    with advisor.sessions() as session:
        [stored] = session.scalars(select(OfficerSession)).all()
        assert token not in stored.token_hash  # only a hash is kept
    page = console.get("/")
    assert page.status_code == 200 and "asha" in page.text
    console.post("/logout", data={"csrf": _csrf(page.text)})
    console.cookies.clear()
    console.cookies.set(COOKIE, token, domain="console.test")  # the old cookie, replayed
    assert console.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_and_an_unknown_name_look_the_same(console: TestClient) -> None:
    wrong = console.post(
        "/login",
        data={"csrf": _csrf(console.get("/login").text), "username": "asha", "password": "nope nope nope"},
    )
    unknown = console.post(
        "/login",
        data={"csrf": _csrf(console.get("/login").text), "username": "zed", "password": "nope nope nope"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password." in wrong.text and "Wrong user name or password." in unknown.text


def test_forms_without_the_csrf_token_are_refused(console: TestClient, advisor: Advisor) -> None:
    assert console.post("/login", data={"username": "asha", "password": PASSWORD}).status_code == 403
    answer = ask(advisor, 501, "mere gaay ko bukhar hai")
    assert login(console) == 303
    with advisor.sessions() as session:
        review = session.scalar(select(Review).where(Review.answer_id == answer))
        assert review is not None
    refused = console.post(f"/review/{review.id}/approve", data={"csrf": "forged"})
    assert refused.status_code == 403
    with advisor.sessions() as session:
        assert session.get(Review, review.id).status == "open"  # type: ignore[union-attr]


def test_failed_logins_lock_the_name_for_a_while(
    console: TestClient, advisor: Advisor, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        assert login(console, password="not the password") == 401
    assert login(console) == 429  # even the right password, for now
    assert login(console, "ravi") == 303  # another officer is not locked out
    with advisor.sessions.begin() as session:
        session.execute(update(LoginAttempt).values(at=LoginAttempt.at - dt.timedelta(hours=1)))
    assert login(console) == 303


def test_what_farmers_and_the_model_wrote_is_escaped(console: TestClient, advisor: Advisor) -> None:
    answer = ask(advisor, 502, '<script>alert("x")</script> meri gaay bimar hai <img src=x onerror=alert(1)>')
    thumbs_down(advisor, 502, answer)
    assert login(console) == 303
    with advisor.sessions() as session:
        review = session.scalar(select(Review).where(Review.answer_id == answer))
    for path in ["/", f"/review/{review.id}", "/search?text=script"]:  # type: ignore[union-attr]
        html = console.get(path).text
        assert "<script>" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path


def test_pages_carry_security_headers_and_secure_cookies(console: TestClient) -> None:
    page = console.get("/login")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    response = console.post(
        "/login",
        data={"csrf": _csrf(page.text), "username": "asha", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie


def test_the_queue_puts_expert_requests_and_safety_first_then_age(
    console: TestClient, advisor: Advisor
) -> None:
    plain = ask(advisor, 510, "wheat yellow rust treatment")
    thumbs_down(advisor, 510, plain)
    livestock = ask(advisor, 511, "mere gaay ko bukhar hai")  # animal health: a safety item by itself
    with advisor.sessions.begin() as session:
        from bot import feedback
        from bot.storage.models import Farmer, Message

        farmer = session.scalar(select(Farmer).where(Farmer.channel_user_id == "510"))
        feedback.open_review(session, farmer, session.get(Message, plain), "expert")  # type: ignore[arg-type]
    assert login(console) == 303
    html = console.get("/").text
    order = [int(i) for i in re.findall(r'href="/review/(\d+)"', html)]
    with advisor.sessions() as session:
        reasons = [session.get(Review, i).reason for i in order]  # type: ignore[union-attr]
        assert reasons[:2] == ["expert", "safety"]
        assert session.scalar(select(Review.answer_id).where(Review.reason == "safety")) == livestock


def test_a_correction_goes_to_the_farmer_and_answers_the_next_farmer_at_once(
    console: TestClient, advisor: Advisor, translator: Translator
) -> None:
    answer = ask(advisor, 520, "mere gaay ko bukhar hai")
    assert login(console, "ravi") == 303
    with advisor.sessions() as session:
        review = session.scalar(select(Review).where(Review.answer_id == answer))
    page = console.get(f"/review/{review.id}")  # type: ignore[union-attr]
    corrected = "Bukhar mein gaay ko chhaya aur paani dein. Aaj hi pashu chikitsak ko bulaayein."
    console.post(f"/review/{review.id}/correct", data={"csrf": _csrf(page.text), "text": corrected})  # type: ignore[union-attr]
    with advisor.sessions() as session:
        [sent] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "correction")).all()
        assert sent.chat_id == 520 and sent.text.startswith(corrected)
        assert sent.text.endswith(translator.text("hi", ui_text.REVIEWED_LABEL))
        assert session.get(Review, review.id).status == "corrected"  # type: ignore[union-attr]
        [audit] = session.scalars(select(AuditEntry).where(AuditEntry.action == "correct")).all()
        assert audit.officer_id == session.scalar(select(Officer.id).where(Officer.username == "ravi"))
    again = advisor.answer(Identity("telegram", "521", 521), "mere gaay ko bukhar hai")
    assert again.reviewed and again.engine == "verified"
    assert again.text.startswith(corrected) and translator.text("hi", ui_text.REVIEWED_LABEL) in again.text
    other = advisor.answer(Identity("telegram", "522", 522), "wheat yellow rust treatment")
    assert not other.reviewed


def test_a_retired_verified_answer_is_no_longer_given(console: TestClient, advisor: Advisor) -> None:
    answer = ask(advisor, 530, "mere gaay ko bukhar hai")
    assert login(console) == 303
    with advisor.sessions() as session:
        review = session.scalar(select(Review).where(Review.answer_id == answer))
    page = console.get(f"/review/{review.id}")  # type: ignore[union-attr]
    console.post(f"/review/{review.id}/approve", data={"csrf": _csrf(page.text)})  # type: ignore[union-attr]
    assert advisor.answer(Identity("telegram", "531", 531), "mere gaay ko bukhar hai").reviewed
    with advisor.sessions() as session:
        verified = session.scalars(select(VerifiedAnswer)).one()
    page = console.get("/verified")
    console.post(f"/verified/{verified.id}/retire", data={"csrf": _csrf(page.text)})
    assert not advisor.answer(Identity("telegram", "532", 532), "mere gaay ko bukhar hai").reviewed


def test_the_export_has_pseudonyms_and_defuses_spreadsheet_formulas(
    console: TestClient, advisor: Advisor
) -> None:
    ask(advisor, 987654321, '=HYPERLINK("http://evil.example","wheat rust")')
    assert login(console) == 303
    exported = console.get("/search.csv?text=HYPERLINK")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 1
    assert rows[0]["question"].startswith("'=HYPERLINK")
    assert rows[0]["farmer"].startswith("F-") and "987654321" not in exported.text


def _review_of(advisor: Advisor, answer: int) -> Review:
    with advisor.sessions() as session:
        review = session.scalar(select(Review).where(Review.answer_id == answer))
        assert review is not None
        return review


def test_an_item_shows_the_exchange_its_cards_flags_and_the_farmers_history(
    console: TestClient, advisor: Advisor
) -> None:
    ask(advisor, 540, "gehu me peela pan aa gaya hai")
    answer = ask(advisor, 540, "mere gaay ko bukhar hai")
    assert login(console) == 303
    html = console.get(f"/review/{_review_of(advisor, answer).id}").text
    assert "mere gaay ko bukhar hai" in html and "livestock" in html and "cattle" in html
    assert "gehu me peela pan aa gaya hai" in html  # earlier history
    assert "F-" in html and ">540<" not in html  # a pseudonym, not the Telegram id


def test_reject_needs_a_note_assign_and_every_action_is_audited(
    console: TestClient, advisor: Advisor
) -> None:
    answer = ask(advisor, 550, "mere gaay ko bukhar hai")
    review = _review_of(advisor, answer)
    assert login(console) == 303
    csrf = _csrf(console.get(f"/review/{review.id}").text)
    with advisor.sessions() as session:
        ravi = session.scalar(select(Officer.id).where(Officer.username == "ravi"))
    console.post(f"/review/{review.id}/assign", data={"csrf": csrf, "officer": str(ravi)})
    empty = console.post(f"/review/{review.id}/reject", data={"csrf": csrf, "note": "  "})
    assert empty.status_code == 400 and "say why" in empty.text
    console.post(f"/review/{review.id}/reject", data={"csrf": csrf, "note": "question unclear, asked again"})
    with advisor.sessions() as session:
        stored = session.get(Review, review.id)
        assert stored is not None and (stored.status, stored.assigned_to_id) == ("rejected", ravi)
        assert stored.note == "question unclear, asked again"
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["assign", "reject"]
    assert console.get("/").text.count('href="/review/') == 0


def test_an_edited_verified_answer_is_what_the_next_farmer_gets(
    console: TestClient, advisor: Advisor
) -> None:
    answer = ask(advisor, 560, "mere gaay ko bukhar hai")
    assert login(console) == 303
    review = _review_of(advisor, answer)
    console.post(
        f"/review/{review.id}/approve", data={"csrf": _csrf(console.get(f"/review/{review.id}").text)}
    )
    with advisor.sessions() as session:
        verified = session.scalars(select(VerifiedAnswer)).one()
    edited = "Gaay ko chhaya mein rakhein aur pashu chikitsak ko turant bulaayein."
    console.post(
        f"/verified/{verified.id}/edit", data={"csrf": _csrf(console.get("/verified").text), "text": edited}
    )
    reply = advisor.answer(Identity("telegram", "561", 561), "mere gaay ko bukhar hai")
    assert reply.reviewed and reply.text.startswith(edited)


def test_admins_manage_officers_and_officers_cannot(console: TestClient, advisor: Advisor) -> None:
    assert login(console, "ravi") == 303
    assert console.get("/officers").status_code == 403
    console.cookies.clear()
    assert login(console, "asha") == 303
    page = console.get("/officers")
    assert page.status_code == 200 and "ravi" in page.text
    console.post(
        "/officers",
        data={"csrf": _csrf(page.text), "username": "meena", "password": PASSWORD, "role": "officer"},
    )
    with advisor.sessions() as session:
        meena = session.scalar(select(Officer).where(Officer.username == "meena"))
        ravi = session.scalar(select(Officer).where(Officer.username == "ravi"))
        assert meena is not None and meena.role == "officer" and ravi is not None
    console.post(f"/officers/{ravi.id}/disable", data={"csrf": _csrf(console.get("/officers").text)})
    console.cookies.clear()
    assert login(console, "ravi") == 401
    assert login(console, "meena") == 303


def test_the_dashboard_counts_questions_feedback_queue_and_unconfirmed_deliveries(
    console: TestClient, advisor: Advisor
) -> None:
    answer = ask(advisor, 570, "mere gaay ko bukhar hai")
    thumbs_down(advisor, 570, answer)
    with advisor.sessions.begin() as session:
        from bot.storage import outbox

        outbox.enqueue(session, channel="telegram", chat_id=570, text="x", kind="answer").state = "uncertain"
    assert login(console) == 303
    html = console.get("/dashboard").text
    assert html.count("<svg") >= 3
    assert "👍 0 · 👎 1" in html and "Deliveries not confirmed" in html
    assert re.search(r'Open queue</h2>\s*<p class="big">1</p>', html)
    assert re.search(r'Deliveries not confirmed</h2>\s*<p class="big">1</p>', html)


def test_csrf_tokens_are_masked_afresh_on_every_page(console: TestClient, advisor: Advisor) -> None:
    assert login(console) == 303
    first, second = _csrf(console.get("/").text), _csrf(console.get("/").text)
    assert first != second  # gzip-compressed pages never repeat the secret (BREACH)
    with advisor.sessions() as session:
        raw = session.scalars(select(OfficerSession.csrf_token)).one()
    language = {"language": "hi"}
    assert console.post("/language", data={"csrf": raw, **language}).status_code == 403
    assert (
        console.post("/language", data={"csrf": second, **language}, follow_redirects=False).status_code
        == 303
    )


def test_pages_are_compressed_for_slow_links(console: TestClient) -> None:
    page = console.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip" or len(page.content) < 800


def test_risky_answers_queue_themselves_and_greetings_do_not(advisor: Advisor) -> None:
    dose = ask(advisor, 580, "tomato leaf curl what to spray")
    ask(advisor, 581, "hello")
    ask(advisor, 582, "thank you")
    with advisor.sessions() as session:
        reviews = session.scalars(select(Review)).all()
        assert [(r.answer_id, r.reason) for r in reviews] == [(dose, "safety")]
        from bot.storage.models import Message

        assert "chemical-dose" in session.get(Message, dose).flags  # type: ignore[union-attr]


def test_the_language_switch_never_redirects_off_the_site(console: TestClient) -> None:
    assert login(console) == 303
    csrf = _csrf(console.get("/").text)
    for referer, target in [
        ("https://console.test/search?text=gaay", "/search?text=gaay"),
        ("https://evil.example/phish", "/phish"),
        ("https://console.test//evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        response = console.post(
            "/language",
            data={"csrf": csrf, "language": "en"},
            headers={"Referer": referer},
            follow_redirects=False,
        )
        assert response.headers["location"] == target, referer


def test_a_hindi_speaking_officer_gets_pages_and_errors_in_hindi(
    console: TestClient, advisor: Advisor
) -> None:
    answer = ask(advisor, 590, "mere gaay ko bukhar hai")
    assert login(console) == 303
    console.post("/language", data={"csrf": _csrf(console.get("/").text), "language": "hi"})
    review = _review_of(advisor, answer)
    page = console.get(f"/review/{review.id}")
    assert "<title>समीक्षा #" in page.text
    refused = console.post(f"/review/{review.id}/reject", data={"csrf": _csrf(page.text), "note": " "})
    assert refused.status_code == 400 and "अस्वीकार करने का कारण लिखें" in refused.text
