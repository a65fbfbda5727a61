"""The officer console's web app (Starlette + Jinja2), over the same database and core as the bot.

Every page needs a login; every form carries the session's CSRF token; everything a farmer or the
model wrote reaches the page through Jinja2's autoescaping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import officers, records, review_queue
from bot.config import Settings
from bot.i18n import Translator, load_catalog
from bot.officer_console import charts, security
from bot.pseudonyms import Pseudonyms
from bot.routing import TOPICS
from bot.storage.models import Officer, OfficerSession, Review, VerifiedAnswer

HERE = Path(__file__).resolve().parent
#: Languages of the console's own text (farmers' text is shown as they wrote it).
CONSOLE_LANGUAGES = ("en", "hi")

Page = Callable[[Request, Session, Officer, OfficerSession], Awaitable[Response]]


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.update(security.HEADERS)
        return response


class Console:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], translator: Translator) -> None:
        self.settings = settings
        self.sessions = sessions
        self.translator = translator
        self.pseudonyms = Pseudonyms.from_settings(settings)
        self.throttle = security.LoginThrottle(
            settings.login_max_failures, dt.timedelta(seconds=settings.login_window_s)
        )
        self.idle = dt.timedelta(hours=settings.console_session_hours)
        self.catalogs = {lang: load_catalog(lang, domain="console") for lang in CONSOLE_LANGUAGES}
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
        )

    # --- plumbing ------------------------------------------------------------------------------

    def app(self) -> Starlette:
        page = self._page
        routes = [
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", page(self.logout), methods=["POST"]),
            Route("/", page(self.queue)),
            Route("/review/{review_id:int}", page(self.review)),
            Route("/review/{review_id:int}/{action:str}", page(self.act), methods=["POST"]),
            Route("/verified", page(self.verified)),
            Route("/verified/{verified_id:int}/{action:str}", page(self.verified_act), methods=["POST"]),
            Route("/search", page(self.search)),
            Route("/search.csv", page(self.search_csv)),
            Route("/dashboard", page(self.dashboard)),
            Route("/language", page(self.language), methods=["POST"]),
            Route("/officers", page(self.officers)),
            Route("/officers", page(self.officer_add), methods=["POST"]),
            Route("/officers/{officer_id:int}/disable", page(self.officer_disable), methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
        # Compressed pages for slow phone links (the CSRF tokens in them are masked, see security.py).
        middleware = [Middleware(SecurityHeaders), Middleware(GZipMiddleware, minimum_size=800)]
        return Starlette(routes=routes, middleware=middleware)

    def _page(self, handler: Page) -> Callable[[Request], Awaitable[Response]]:
        """Login required; POSTs must carry the session's CSRF token."""

        async def endpoint(request: Request) -> Response:
            with self.sessions.begin() as db:
                found = security.current(db, request.cookies.get(security.COOKIE), self.idle)
                if found is None:
                    return RedirectResponse("/login", status_code=303)
                officer, login = found
                if request.method == "POST":
                    form = await request.form()
                    if not security.csrf_ok(login.csrf_token, _field(form, "csrf")):
                        return PlainTextResponse("CSRF token missing or wrong", status_code=403)
                return await handler(request, db, officer, login)

        return endpoint

    def _gettext(self, language: str) -> Callable[[str], str]:
        catalog = self.catalogs.get(language) or self.catalogs["en"]
        return catalog.gettext

    def render(
        self,
        name: str,
        officer: Officer | None,
        login: OfficerSession | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        language = officer.language if officer and officer.language in CONSOLE_LANGUAGES else "en"
        html = self.templates.get_template(name).render(
            _=self._gettext(language),
            officer=officer,
            csrf=security.mask(login.csrf_token if login else context.pop("login_csrf")),
            language=language,
            pseudonym=self.pseudonyms.of,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    # --- login ---------------------------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        token = secrets.token_urlsafe(32)
        response = self.render("login.html", None, None, login_csrf=token, error=None)
        self._set_cookie(response, security.LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response

    async def login(self, request: Request) -> Response:
        form = await request.form()
        if not security.csrf_ok(request.cookies.get(security.LOGIN_CSRF_COOKIE), _field(form, "csrf")):
            return PlainTextResponse("CSRF token missing or wrong", status_code=403)
        username, password = _field(form, "username").strip().lower()[:64], _field(form, "password")
        address = request.client.host if request.client else "?"
        with self.sessions.begin() as db:
            if self.throttle.locked(db, username, address):
                return self._login_error(request, "Too many failed logins. Try again later.", 429)
            officer = officers.authenticate(db, username, password)
            if officer is None:
                self.throttle.failed(db, username, address)
                return self._login_error(request, "Wrong user name or password.", 401)
            self.throttle.succeeded(db, username)
            security.end_session(db, request.cookies.get(security.COOKIE))  # never reuse an old id
            token = security.start_session(db, officer)
        response = RedirectResponse("/", status_code=303)
        self._set_cookie(response, security.COOKIE, token, max_age=int(self.idle.total_seconds()))
        response.delete_cookie(security.LOGIN_CSRF_COOKIE)
        return response

    def _login_error(self, request: Request, message: str, status: int) -> Response:
        token = secrets.token_urlsafe(32)
        response = self.render("login.html", None, None, status=status, login_csrf=token, error=message)
        self._set_cookie(response, security.LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response

    def _set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=self.settings.console_secure_cookies,
            samesite="strict",
            path="/",
        )

    async def logout(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        security.end_session(db, request.cookies.get(security.COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(security.COOKIE)
        return response

    async def language(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        chosen = _field(await request.form(), "language")
        if chosen in CONSOLE_LANGUAGES:
            officer.language = chosen
        return RedirectResponse(_same_site(request.headers.get("referer")), status_code=303)

    # --- the queue -----------------------------------------------------------------------------

    async def queue(self, request: Request, db: Session, officer: Officer, login: OfficerSession) -> Response:
        items = review_queue.open_items(db)
        return self.render("queue.html", officer, login, items=items, hours=_hours)

    async def review(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        return self._review_page(db, officer, login, int(request.path_params["review_id"]), None)

    def _review_page(
        self,
        db: Session,
        officer: Officer,
        login: OfficerSession,
        review_id: int,
        error: str | None,
        status: int = 200,
    ) -> Response:
        try:
            found = review_queue.item(db, review_id)
        except review_queue.ReviewError:
            return PlainTextResponse("Not found", status_code=404)
        history = review_queue.history(
            db, found.review.farmer_id, (found.question or found.answer).created_at
        )
        colleagues = db.scalars(
            select(Officer).where(Officer.active.is_(True)).order_by(Officer.username)
        ).all()
        return self.render(
            "review.html",
            officer,
            login,
            status=status,
            item=found,
            history=history,
            colleagues=colleagues,
            draft=review_queue.without_labels(found.answer.text),
            error=error,
            hours=_hours,
        )

    async def act(self, request: Request, db: Session, officer: Officer, login: OfficerSession) -> Response:
        review_id, action = int(request.path_params["review_id"]), request.path_params["action"]
        review = db.get(Review, review_id)
        if review is None:
            return PlainTextResponse("Not found", status_code=404)
        form = await request.form()
        try:
            if action == "approve":
                review_queue.approve(db, officer, review)
            elif action == "correct":
                review_queue.correct(db, officer, review, _field(form, "text"), self.translator)
            elif action == "reject":
                review_queue.reject(db, officer, review, _field(form, "note"))
            elif action == "assign":
                to = db.get(Officer, int(_field(form, "officer") or 0))
                if to is None:
                    raise review_queue.ReviewError("no such officer")
                review_queue.assign(db, officer, review, to)
                return RedirectResponse(f"/review/{review_id}", status_code=303)
            else:
                return PlainTextResponse("Unknown action", status_code=404)
        except review_queue.ReviewError as exc:
            return self._review_page(db, officer, login, review_id, str(exc), status=400)
        return RedirectResponse("/", status_code=303)

    # --- verified answers ----------------------------------------------------------------------

    async def verified(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        answers = db.scalars(
            select(VerifiedAnswer).order_by(VerifiedAnswer.active.desc(), VerifiedAnswer.id.desc())
        ).all()
        return self.render("verified.html", officer, login, answers=answers)

    async def verified_act(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        verified = db.get(VerifiedAnswer, int(request.path_params["verified_id"]))
        if verified is None:
            return PlainTextResponse("Not found", status_code=404)
        action = request.path_params["action"]
        try:
            if action == "edit":
                review_queue.edit_verified(db, officer, verified, _field(await request.form(), "text"))
            elif action == "retire":
                review_queue.retire_verified(db, officer, verified)
            else:
                return PlainTextResponse("Unknown action", status_code=404)
        except review_queue.ReviewError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        return RedirectResponse("/verified", status_code=303)

    # --- accounts (admins) ------------------------------------------------------------------------

    async def officers(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        return self._officers_page(db, officer, login, None)

    def _officers_page(
        self, db: Session, officer: Officer, login: OfficerSession, error: str | None, status: int = 200
    ) -> Response:
        if officer.role != "admin":
            return PlainTextResponse("Admins only", status_code=403)
        everyone = db.scalars(select(Officer).order_by(Officer.username)).all()
        return self.render(
            "officers.html",
            officer,
            login,
            status=status,
            everyone=everyone,
            roles=officers.ROLES,
            error=error,
        )

    async def officer_add(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        if officer.role != "admin":
            return PlainTextResponse("Admins only", status_code=403)
        form = await request.form()
        try:
            added = officers.add(
                db, _field(form, "username"), _field(form, "password"), _field(form, "role") or "officer"
            )
        except officers.AccountError as exc:
            return self._officers_page(db, officer, login, str(exc), status=400)
        review_queue.audit(db, officer, "add-officer", detail=added.username)
        return RedirectResponse("/officers", status_code=303)

    async def officer_disable(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        target = db.get(Officer, int(request.path_params["officer_id"]))
        if officer.role != "admin":
            return PlainTextResponse("Admins only", status_code=403)
        if target is None or target.id == officer.id:
            return self._officers_page(db, officer, login, "You cannot disable that account.", status=400)
        officers.disable(db, target)
        review_queue.audit(db, officer, "disable-officer", detail=target.username)
        return RedirectResponse("/officers", status_code=303)

    # --- search, export, dashboard -------------------------------------------------------------

    async def search(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        filters = _filters(request)
        rows = records.exchanges(db, filters)
        query = request.url.query
        return self.render("search.html", officer, login, rows=rows, f=filters, topics=TOPICS, query=query)

    async def search_csv(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        rows = records.exchanges(db, _filters(request), limit=50_000)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "date",
                "farmer",
                "language",
                "topic",
                "crops",
                "question",
                "answer",
                "engine",
                "cards",
                "feedback",
                "flags",
            ]
        )
        for row in rows:
            q, a = row.question, row.answer
            writer.writerow(
                _cells(
                    q.created_at.isoformat(timespec="seconds"),
                    self.pseudonyms.of(q.farmer_id),
                    q.language or "",
                    q.topic or "",
                    " ".join(q.crops),
                    q.text,
                    a.text if a else "",
                    (a.engine or "") if a else "",
                    " ".join(a.card_ids) if a else "",
                    {1: "up", -1: "down"}.get(row.rating or 0, ""),
                    " ".join(q.flags),
                )
            )
        review_queue.audit(db, officer, "export", detail=f"{len(rows)} rows; {request.url.query[:200]}")
        headers = {"Content-Disposition": 'attachment; filename="kisanbot-conversations.csv"'}
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)

    async def dashboard(
        self, request: Request, db: Session, officer: Officer, login: OfficerSession
    ) -> Response:
        numbers = records.dashboard(db)
        per_day = charts.stacked_days([d.strftime("%d %b") for d in numbers.days], numbers.per_day_topic)
        per_language = charts.bars([(lang, float(n)) for lang, n in numbers.per_language])
        latency = charts.bars([(k, v) for k, v in numbers.latency_ms.items()], " ms")
        missing_topics = charts.bars([(t or "?", float(n)) for t, n in numbers.missing_topics])
        missing_crops = charts.bars([(c, float(n)) for c, n in numbers.missing_crops])
        return self.render(
            "dashboard.html",
            officer,
            login,
            n=numbers,
            per_day=per_day,
            per_language=per_language,
            latency=latency,
            missing_topics=missing_topics,
            missing_crops=missing_crops,
        )


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _filters(request: Request) -> records.Filters:
    q = request.query_params

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(q.get(name, ""))
        except ValueError:
            return None

    return records.Filters(
        text=q.get("text", "")[:200],
        language=q.get("language", ""),
        topic=q.get("topic", ""),
        crop=q.get("crop", "")[:40],
        since=day("since"),
        until=day("until"),
        feedback=q.get("feedback", ""),
        engine=q.get("engine", ""),
    )


def _cells(*values: str) -> list[str]:
    """A cell starting with = + - @ is a formula to a spreadsheet: a farmer's text must stay text."""
    return ["'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in values]


def _same_site(url: str | None) -> str:
    """The path (and query) of `url`, never another site's address ("//host" included)."""
    back = urlsplit(url or "/")
    path = back.path if back.path.startswith("/") and not back.path.startswith("//") else "/"
    return path + (f"?{back.query}" if back.query else "")


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


def build(settings: Settings) -> Starlette:
    from bot.storage.database import open_database

    _engine, sessions = open_database(settings)
    return Console(settings, sessions, Translator()).app()


def serve(settings: Settings) -> None:
    """`kisanbot console`."""
    import uvicorn

    uvicorn.run(build(settings), host=settings.console_host, port=settings.console_port, log_level="info")
