"""Assembling a running bot: Telegram application, poller, dispatcher and scheduler.

`BotRuntime` is the one object `python -m bot run`, the demo and the end-to-end tests
start and stop, so all three exercise the same wiring.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import BotCommand, BotCommandScopeDefault
from telegram.ext import Application, ApplicationBuilder

from bot import __version__
from bot.alerts import Alert, Change
from bot.chat import register_handlers
from bot.chat.admin import ADMIN_TOOLS_KEY, AdminTools
from bot.chat.common import SERVICES_KEY
from bot.chat.desk_broadcast import WAKE_DELIVERY_KEY
from bot.chat.desk_messages import MESSENGER_KEY, DeskMessenger
from bot.chat.errors import COUNT_ERROR_KEY
from bot.chat.guard import FLOOD_KEY, FloodGuard
from bot.chat.persistence import DatabasePersistence, SharedStateApplication
from bot.config import Settings
from bot.coordination import Coordinator
from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, RenderRequest
from bot.delivery.sender import AiohttpRequest, TelegramSender
from bot.i18n import SUPPORTED_LANGUAGES, Catalogs
from bot.matching import fan_out_pending
from bot.ops.announce import announcement_text, is_announcement
from bot.ops.http import OpsServer, build_ops_server
from bot.ops.metrics import MeteredDispatcher, MeteredPoller, Metrics
from bot.ops.webhook import register_webhook
from bot.polling import Poller, PollReport, SourceLeases
from bot.render import Renderer
from bot.scheduler import schedule_briefings, schedule_polls
from bot.services import Services, utc_now
from bot.sources.base import FeedClient
from bot.store.database import Database
from bot.store.dialect import Dialect

log = logging.getLogger(__name__)

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]

# Receiving updates with getUpdates moves to another process this long after its receiver
# died (several processes on PostgreSQL; see docs/postgresql.md).
UPDATES_LEASE = timedelta(seconds=30)


class BotRuntime:
    """A bot assembled from settings: start it, let it run, stop it cleanly."""

    def __init__(
        self,
        services: Services,
        application: TelegramApplication,
        poller: Poller,
        dispatcher: Dispatcher,
        http: httpx.AsyncClient,
        *,
        metrics: Metrics | None = None,
        ops: OpsServer | None = None,
        coordinator: Coordinator | None = None,
    ) -> None:
        self.services = services
        # Several processes on one database: heartbeat, rate share, leases (bot.coordination)
        self.coordinator = coordinator or Coordinator(services.db, services.clock)
        self.application = application
        self.poller = poller
        self.dispatcher = dispatcher
        self.metrics = metrics or Metrics()
        self.ops = ops  # health, metrics, feeds and the webhook; None when not configured
        self._http = http
        self._scheduler: AsyncIOScheduler | None = None
        self._stop = asyncio.Event()
        self._dispatcher_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._updates_task: asyncio.Task[None] | None = None
        self.updates_lease = UPDATES_LEASE  # several processes in polling mode (tests shorten it)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def start(self, *, receive_updates: bool = True, schedule: bool = True) -> None:
        """Connect to Telegram, finish any interrupted fan-out, start sending and polling."""
        await self.application.initialize()
        await self.application.start()
        await self._set_command_menu()
        ops = self.settings.operations
        if receive_updates and ops.webhook_url and ops.webhook_secret:
            await register_webhook(self.application, ops.webhook_url, ops.webhook_secret)
        elif receive_updates and self.application.updater is not None:
            if self.poller.leases is None:
                await self._poll_updates()
            else:
                self._updates_task = asyncio.create_task(self._poll_updates_under_lease())
        if self.ops is not None:
            await self.ops.start()
        recovered = await fan_out_pending(self.services.db, now=self.services.clock())
        if recovered:
            log.info("recovered %d queued messages from an interrupted fan-out", recovered)
        self._count_processes(await self.coordinator.join())
        self._heartbeat_task = asyncio.create_task(
            self.coordinator.run(self._stop, on_count=self._count_processes)
        )
        self._dispatcher_task = asyncio.create_task(self.dispatcher.run(self._stop))
        if schedule:
            self._scheduler = AsyncIOScheduler(timezone="UTC")
            schedule_polls(self._scheduler, self.poller, self.settings)
            schedule_briefings(
                self._scheduler,
                self.services,
                TelegramSender(self.application.bot),
                self.coordinator if self.poller.leases is not None else None,
            )
            self._scheduler.start()

    def _count_processes(self, processes: int) -> None:
        """The live processes share Telegram's rate, and count each chat's commands
        together once there are several."""
        self.dispatcher.pacer.share(processes)
        guard = self.application.bot_data.get(FLOOD_KEY)
        if isinstance(guard, FloodGuard):
            guard.processes = processes

    async def _poll_updates(self) -> None:
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0.0, timeout=10, drop_pending_updates=False
        )

    async def _poll_updates_under_lease(self) -> None:
        """Several processes in polling mode: Telegram serves getUpdates to one client at a
        time (another gets 409 Conflict), so only the holder of the `updates` lease asks.
        Updates wait at Telegram while the lease changes hands."""
        updater = self.application.updater
        assert updater is not None
        while not self._stop.is_set():
            try:
                held = await self.coordinator.acquire("updates", self.updates_lease)
            except Exception:  # the database is away: keep what we have, try again
                log.exception("could not renew the updates lease")
                held = updater.running
            if held and not updater.running:
                await self._poll_updates()
            elif not held and updater.running:
                log.warning("another process took over receiving updates")
                await updater.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.updates_lease.total_seconds() / 3)

    async def poll_all(self, *, force: bool = False) -> list[PollReport]:
        """Poll every enabled source once, concurrently (the demo and tests use this)."""
        sources = [source for source in self.settings.sources if source.enabled]
        return list(
            await asyncio.gather(*(self.poller.poll(source, force=force) for source in sources))
        )

    async def stop(self) -> None:
        """Stop taking new work, let the dispatcher finish its batch, close everything.

        Deliveries not sent yet stay pending in the outbox (nothing is claimed), so the next
        start sends them; sends in flight finish and are recorded before the database closes.
        """
        if self.ops is not None:
            await self.ops.stop()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        self._stop.set()
        self.dispatcher.wake()
        if self._dispatcher_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher_task
        if self._updates_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._updates_task
        # Stop asking for updates before the `updates` lease goes: two processes asking at
        # once would get Telegram's 409 Conflict.
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self._heartbeat_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
            await self.coordinator.leave()  # its leases and claims go to the others now
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self._http.aclose()
        await self.services.db.close()

    async def _set_command_menu(self) -> None:
        """The command list Telegram shows next to the input field, in each language."""
        catalogs = self.services.catalogs
        for language in SUPPORTED_LANGUAGES:
            t = catalogs.translator(language)
            commands = [
                BotCommand("subscribe", t.gettext("Follow countries")),
                BotCommand("unsubscribe", t.gettext("Stop following countries")),
                BotCommand("list", t.gettext("Countries you follow")),
                BotCommand("status", t.gettext("Every government's level for a country")),
                BotCommand("trip", t.gettext("Add a trip")),
                BotCommand("trips", t.gettext("Your trips")),
                BotCommand("place", t.gettext("Narrow hazards to a town")),
                BotCommand("settings", t.gettext("Alert level, topics, quiet hours, digest")),
                BotCommand("pause", t.gettext("Pause all alerts")),
                BotCommand("resume", t.gettext("Resume alerts")),
                BotCommand("language", t.gettext("Change language")),
                BotCommand("about", t.gettext("Where the alerts come from")),
                BotCommand("mydata", t.gettext("What I store about you")),
                BotCommand("forget", t.gettext("Delete what I store about you")),
                BotCommand("help", t.gettext("What I can do")),
            ]
            code = None if language == "en" else language
            try:
                await self.application.bot.set_my_commands(
                    commands, scope=BotCommandScopeDefault(), language_code=code
                )
            except Exception as error:  # the menu is a convenience; never fail start-up on it
                log.warning("could not set the command menu for %s: %s", language, error)


def delivery_limits(settings: Settings) -> DeliveryLimits:
    config = settings.delivery
    return DeliveryLimits(
        global_per_second=config.messages_per_second,
        private_chat_per_second=config.chat_messages_per_second,
        group_per_minute=config.group_messages_per_minute,
        paid_broadcast=config.paid_broadcast,
        paid_per_second=config.paid_messages_per_second,
        concurrency=config.concurrency,
    )


async def build_runtime(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    limits: DeliveryLimits | None = None,
) -> BotRuntime:
    """Open the database, load catalogs and templates, and assemble the bot."""
    if settings.token is None:
        raise ValueError("a token is needed to build the bot; the demo supplies the stand-in's")
    db = await Database.open(settings.database_url)
    catalogs = Catalogs.load(settings.locales_dir)
    renderer = Renderer(settings.templates_dir, catalogs)
    services = Services(settings, db, catalogs, renderer, clock)

    application: TelegramApplication = (
        ApplicationBuilder()
        # What a chat is in the middle of (a /trip's questions, its draft) lives in the
        # database, so that any process may take the chat's next message.
        .application_class(SharedStateApplication)
        .persistence(DatabasePersistence(db, clock))
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_api_url.replace("/bot", "/file/bot"))
        # aiohttp for everything but getUpdates: a third of httpx's CPU per request, which
        # is what lets one core keep up with paid broadcasts (benchmarks/delivery.py).
        .request(AiohttpRequest(connections=max(8, settings.delivery.concurrency * 2)))
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    register_handlers(application)

    def render(alert: Alert, request: RenderRequest) -> str:
        if is_announcement(alert):
            return announcement_text(alert)
        return renderer.alert(
            alert,
            language=request.language,
            timezone=request.timezone,
            change=request.change,
            previous_severity=request.previous_severity,
            what_changed=request.what_changed,
        )

    def render_digest(items: list[tuple[Alert, Change]], request: RenderRequest) -> str:
        return renderer.digest(items, language=request.language, timezone=request.timezone)

    metrics = Metrics()
    coordinator = Coordinator(db, clock)
    dispatcher = MeteredDispatcher(
        db,
        TelegramSender(application.bot, paid_broadcast=settings.delivery.paid_broadcast),
        render,
        limits=limits or delivery_limits(settings),
        clock=clock,
        render_digest=render_digest,
        metrics=metrics,
        holder=coordinator.holder,
        claim_seconds=coordinator.heartbeat_ttl.total_seconds(),
    )
    http = httpx.AsyncClient(
        timeout=settings.http_timeout_seconds,
        follow_redirects=True,
        headers={"User-Agent": f"travel-risk-bot/{__version__}"},
    )
    poller = MeteredPoller(
        db,
        FeedClient(http, max_bytes=settings.max_feed_bytes),
        clock=clock,
        on_queued=dispatcher.wake,
        metrics=metrics,
        leases=_source_leases(settings, db, coordinator),
    )
    application.bot_data[ADMIN_TOOLS_KEY] = AdminTools(poller, dispatcher.wake)
    application.bot_data[COUNT_ERROR_KEY] = lambda kind: metrics.errors.labels(kind).inc()
    application.bot_data[WAKE_DELIVERY_KEY] = dispatcher.wake
    # Desk questions, reminders and calls for help share Telegram's budget with the outbox.
    application.bot_data[MESSENGER_KEY] = DeskMessenger(pacer=dispatcher.pacer)
    ops = build_ops_server(settings, application, db, metrics, clock)
    return BotRuntime(
        services,
        application,
        poller,
        dispatcher,
        http,
        metrics=metrics,
        ops=ops,
        coordinator=coordinator,
    )


def _source_leases(
    settings: Settings, db: Database, coordinator: Coordinator
) -> SourceLeases | None:
    """On PostgreSQL several processes may share the database: a source is polled by the
    holder of its lease. One process on SQLite polls everything itself (and a restart after
    a crash need not wait for its predecessor's leases to expire)."""
    if db.dialect is not Dialect.POSTGRES:
        return None
    return SourceLeases(
        coordinator,
        default_interval_seconds=settings.poll_interval_seconds,
        margin_seconds=2 * settings.http_timeout_seconds + 60,
    )
