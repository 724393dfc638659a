"""The bot's HTTP server: health, readiness, metrics, open feeds and (in webhook mode) the
webhook, on one aiohttp application that may listen on several addresses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from aiohttp import web

from bot.config import Settings
from bot.countries import ALL_COUNTRIES
from bot.ops import feeds
from bot.ops.metrics import CONTENT_TYPE, Metrics
from bot.ops.readiness import ReadinessCheck, Thresholds
from bot.ops.webhook import Handler, TelegramApplication, webhook_handler, webhook_path
from bot.store import published
from bot.store.database import Database

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
FEED_LIMIT = 200


def ops_application(
    *,
    db: Database,
    metrics: Metrics,
    readiness: ReadinessCheck,
    clock: Callable[[], datetime],
    webhook: tuple[str, Handler] | None = None,
) -> web.Application:
    """The routes; `webhook` is (path, handler) in webhook mode."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        report = await readiness.check()
        return web.json_response(report.as_json(), status=200 if report.ready else 503)

    async def metrics_page(_: web.Request) -> web.Response:
        body = await metrics.exposition(db)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    async def atom(request: web.Request) -> web.Response:
        country = _country(request)
        alerts = await published.current_alerts(db, country=country, limit=FEED_LIMIT)
        body = feeds.atom_feed(
            alerts,
            self_url=str(request.url),
            base_url=_base_url(request),
            now=clock(),
            country=country,
        )
        return _cached(body, "application/atom+xml; charset=utf-8")

    async def json_feed(request: web.Request) -> web.Response:
        country = _country(request)
        alerts = await published.current_alerts(db, country=country, limit=FEED_LIMIT)
        document = feeds.json_feed(alerts, self_url=str(request.url), base_url=_base_url(request))
        return _cached(feeds.json_feed_bytes(document), "application/feed+json; charset=utf-8")

    async def cap(request: web.Request) -> web.Response:
        version = await published.alert_version(db, int(request.match_info["id"]))
        body = None
        if version is not None:
            body = feeds.cap_alert(version, sender=f"travel-risk-bot@{request.url.host or 'local'}")
        if body is None:
            raise web.HTTPNotFound(text="no such hazard alert\n")
        return _cached(body, "application/cap+xml; charset=utf-8")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    app.router.add_get("/feeds/alerts.atom", atom)
    app.router.add_get("/feeds/alerts.json", json_feed)
    app.router.add_get(r"/feeds/cap/{id:\d{1,18}}.xml", cap)
    if webhook is not None:
        path, handler = webhook
        app.router.add_post(path, handler)
    return app


def _country(request: web.Request) -> str | None:
    raw = request.query.get("country")
    if raw is None or raw == "":
        return None
    code = raw.upper()
    if not _COUNTRY.match(raw) or code not in ALL_COUNTRIES:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "country must be an ISO 3166-1 alpha-2 code, e.g. DE"}),
            content_type="application/json",
        )
    return code


def _base_url(request: web.Request) -> str:
    return f"{request.url.scheme}://{request.url.raw_authority}"


def _cached(body: bytes, content_type: str) -> web.Response:
    return web.Response(
        body=body, headers={"Content-Type": content_type, "Cache-Control": "max-age=60"}
    )


class OpsServer:
    """Runs the application on each (host, port); port 0 picks a free one (tests)."""

    def __init__(self, app: web.Application, binds: Sequence[tuple[str, int]]) -> None:
        self._app = app
        self._binds = list(dict.fromkeys(binds))
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            for host, port in self._binds:
                await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop accepting requests (a webhook update in progress is finished first)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The bound (host, port) of each address, in the order given."""
        if self._runner is None:
            return []
        return [(str(address[0]), int(address[1])) for address in self._runner.addresses]


def build_ops_server(
    settings: Settings,
    application: TelegramApplication,
    db: Database,
    metrics: Metrics,
    clock: Callable[[], datetime],
) -> OpsServer | None:
    """The server the settings ask for: HTTP_PORT, the webhook, both (one application), or
    none at all (polling mode without HTTP_PORT)."""
    ops = settings.operations
    binds: list[tuple[str, int]] = []
    webhook: tuple[str, Handler] | None = None
    if ops.http_port is not None:
        binds.append((ops.http_listen, ops.http_port))
    if ops.webhook_url is not None and ops.webhook_secret is not None:
        webhook = (
            webhook_path(ops.webhook_url),
            webhook_handler(application, ops.webhook_secret, metrics),
        )
        binds.append((ops.webhook_listen, ops.webhook_port))
    if not binds:
        return None
    readiness = ReadinessCheck(
        db,
        settings.sources,
        clock=clock,
        started_at=clock(),
        thresholds=Thresholds(
            source_failing=timedelta(minutes=ops.ready_source_failing_minutes),
            outbox_stuck=timedelta(minutes=ops.ready_outbox_stuck_minutes),
        ),
    )
    app = ops_application(db=db, metrics=metrics, readiness=readiness, clock=clock, webhook=webhook)
    return OpsServer(app, binds)
