"""Configuration, read once from the environment into one typed object.

Nothing else in the bot reads the environment: the `Settings` object is passed down.
A missing or malformed value stops start-up with one line that names it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BOT_API_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says what is expected."""


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One configured feed: an adapter kind, the name it is known by, and its URL."""

    name: str
    kind: str
    url: str
    enabled: bool = True
    interval_seconds: int | None = None  # None: the global poll interval


@dataclass(frozen=True, slots=True)
class OperationsConfig:
    """The HTTP server (health, metrics, feeds), webhook mode and readiness thresholds."""

    http_port: int | None = None  # None: no HTTP server (unless webhook mode needs one)
    http_listen: str = "0.0.0.0"
    webhook_url: str | None = None  # set: webhook mode; unset: polling with getUpdates
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    ready_source_failing_minutes: int = 120
    ready_outbox_stuck_minutes: int = 60


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """Telegram's speed limits as the bot paces itself (the defaults are Telegram's own)."""

    messages_per_second: float = 30.0
    chat_messages_per_second: float = 1.0
    group_messages_per_minute: float = 20.0
    paid_broadcast: bool = False  # allow_paid_broadcast: up to 1,000 msg/s, paid in Stars
    paid_messages_per_second: float = 1000.0
    concurrency: int = 16  # messages on the wire at once: also the crash duplicate bound


@dataclass(frozen=True, slots=True)
class Settings:
    token: str | None
    database_url: str
    data_dir: Path
    admin_ids: frozenset[int]
    poll_interval_seconds: int
    bot_api_url: str
    default_language: str = "en"
    sources: tuple[SourceConfig, ...] = ()
    http_timeout_seconds: float = 20.0
    max_feed_bytes: int = 20 * 1024 * 1024
    log_json: bool = False
    log_level: str = "INFO"
    templates_dir: Path = field(default=PROJECT_ROOT / "templates")
    locales_dir: Path = field(default=PROJECT_ROOT / "locales")
    operations: OperationsConfig = field(default_factory=OperationsConfig)
    briefing_days_before: int = 3  # a trip briefing goes out this many days ahead
    delivery: DeliveryConfig = field(default_factory=lambda: DeliveryConfig())

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of a `sqlite:///path` URL."""
        return Path(self.database_url.removeprefix("sqlite:///"))


# Official feeds polled by default when SOURCES is not set.
DEFAULT_SOURCES: tuple[SourceConfig, ...] = (
    SourceConfig("us-state", "us-state", "https://travel.state.gov/_res/rss/TAsTWs.xml"),
)


def load_settings(env: Mapping[str, str] | None = None, *, require_token: bool = False) -> Settings:
    """Build `Settings` from environment variables (see the README for each one)."""
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if require_token and token is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: get one from @BotFather, or run `python -m bot demo`"
            " to try the bot offline"
        )
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected the form 123456:ABC-DEF...")

    data_dir = Path(env.get("DATA_DIR", "").strip() or PROJECT_ROOT / "data")
    database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'bot.sqlite3'}"
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigError(
            "DATABASE_URL is malformed: expected sqlite:///path/to/file.sqlite3"
            " or postgresql://user:password@host/database"
        )

    return Settings(
        token=token,
        database_url=database_url,
        data_dir=data_dir,
        admin_ids=_int_set(env, "ADMIN_IDS"),
        poll_interval_seconds=_positive_int(env, "POLL_INTERVAL_SECONDS", 900, minimum=10),
        bot_api_url=env.get("BOT_API_URL", "").strip() or DEFAULT_BOT_API_URL,
        default_language=env.get("DEFAULT_LANGUAGE", "").strip() or "en",
        sources=_sources(env),
        http_timeout_seconds=float(_positive_int(env, "HTTP_TIMEOUT_SECONDS", 20, minimum=1)),
        max_feed_bytes=_positive_int(env, "MAX_FEED_BYTES", 20 * 1024 * 1024, minimum=1024),
        log_json=_bool(env, "LOG_JSON", False),
        log_level=env.get("LOG_LEVEL", "").strip().upper() or "INFO",
        delivery=_delivery(env),
        operations=_operations(env),
        briefing_days_before=_positive_int(env, "BRIEFING_DAYS_BEFORE", 3, minimum=1),
    )


def _positive_int(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} is malformed: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} is too small: expected at least {minimum}, got {value}")
    return value


def _int_set(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "").strip()
    if not raw:
        return frozenset()
    try:
        return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())
    except ValueError:
        raise ConfigError(
            f"{name} is malformed: expected comma-separated Telegram user ids, got {raw!r}"
        ) from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} is malformed: expected true or false, got {raw!r}")


def _sources(env: Mapping[str, str]) -> tuple[SourceConfig, ...]:
    """SOURCES: `name=kind@url` entries separated by spaces or newlines.

    `kind@url` alone names the source after its kind; a leading `!` switches it off.
    Example: `SOURCES="us-state@https://... cap-nsw=cap@https://... !gdacs@https://..."`.
    """
    raw = env.get("SOURCES", "").strip()
    if not raw:
        return DEFAULT_SOURCES
    configs: list[SourceConfig] = []
    for entry in raw.split():
        enabled = not entry.startswith("!")
        entry = entry.lstrip("!")
        head, at, url = entry.partition("@")
        if not at or not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"SOURCES is malformed: expected name=kind@https://url, got {entry!r}"
            )
        name, eq, kind = head.partition("=")
        if not eq:
            kind = name
        configs.append(SourceConfig(name=name, kind=kind, url=url, enabled=enabled))
    names = [c.name for c in configs]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ConfigError(
            f"SOURCES is malformed: source names must be unique, {sorted(duplicates)}"
        )
    return tuple(configs)


_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts


def _operations(env: Mapping[str, str]) -> OperationsConfig:
    """HTTP_PORT, HTTP_LISTEN, WEBHOOK_*, READY_* (see docs/operations.md)."""
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_url is not None:
        if not webhook_url.startswith(("https://", "http://")) or " " in webhook_url:
            raise ConfigError(
                f"WEBHOOK_URL is malformed: expected https://your.host/path, got {webhook_url!r}"
            )
        if secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET is not set: webhook mode needs a secret of 1-256 characters"
                " A-Z, a-z, 0-9, _ and -"
            )
    if secret is not None and not _WEBHOOK_SECRET.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET is malformed: expected 1-256 characters A-Z, a-z, 0-9, _ and -"
        )
    return OperationsConfig(
        http_port=_port(env, "HTTP_PORT", None),
        http_listen=env.get("HTTP_LISTEN", "").strip() or "0.0.0.0",
        webhook_url=webhook_url,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
        webhook_port=_port(env, "WEBHOOK_PORT", 8443) or 0,
        webhook_secret=secret,
        ready_source_failing_minutes=_positive_int(
            env, "READY_SOURCE_FAILING_MINUTES", 120, minimum=1
        ),
        ready_outbox_stuck_minutes=_positive_int(env, "READY_OUTBOX_STUCK_MINUTES", 60, minimum=1),
    )


def _port(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    """A TCP port; 0 picks a free one (tests); empty or "off" gives the default."""
    raw = env.get(name, "").strip().lower()
    if not raw or raw == "off":
        return default
    if not raw.isdigit() or int(raw) > 65535:
        raise ConfigError(f"{name} is malformed: expected a port number 0-65535, got {raw!r}")
    return int(raw)


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} is malformed: expected a number, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} is too small: expected more than 0, got {raw}")
    return value


def _delivery(env: Mapping[str, str]) -> DeliveryConfig:
    return DeliveryConfig(
        messages_per_second=_positive_float(env, "TELEGRAM_MESSAGES_PER_SECOND", 30.0),
        chat_messages_per_second=_positive_float(env, "TELEGRAM_CHAT_MESSAGES_PER_SECOND", 1.0),
        group_messages_per_minute=_positive_float(env, "TELEGRAM_GROUP_MESSAGES_PER_MINUTE", 20.0),
        paid_broadcast=_bool(env, "PAID_BROADCAST", False),
        paid_messages_per_second=_positive_float(env, "PAID_MESSAGES_PER_SECOND", 1000.0),
        concurrency=_positive_int(env, "SEND_CONCURRENCY", 16, minimum=1),
    )
