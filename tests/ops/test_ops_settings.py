"""Operations settings: HTTP port, webhook mode and readiness thresholds from the environment."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_http_server_is_off_and_polling_is_used_by_default() -> None:
    ops = load_settings({}).operations
    assert ops.http_port is None and ops.webhook_url is None
    assert (ops.ready_source_failing_minutes, ops.ready_outbox_stuck_minutes) == (120, 60)


def test_webhook_settings_are_read() -> None:
    ops = load_settings(
        {
            "HTTP_PORT": "8080",
            "WEBHOOK_URL": "https://bot.example.org/hook",
            "WEBHOOK_SECRET": "abc_DEF-123",
            "WEBHOOK_PORT": "8443",
            "WEBHOOK_LISTEN": "127.0.0.1",
        }
    ).operations
    assert ops.http_port == 8080 and ops.webhook_port == 8443
    assert ops.webhook_url == "https://bot.example.org/hook"
    assert ops.webhook_listen == "127.0.0.1" and ops.webhook_secret == "abc_DEF-123"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HTTP_PORT": "eighty"}, "HTTP_PORT"),
        ({"HTTP_PORT": "70000"}, "HTTP_PORT"),
        ({"WEBHOOK_URL": "bot.example.org"}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://b.example/h", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"READY_OUTBOX_STUCK_MINUTES": "0"}, "READY_OUTBOX_STUCK_MINUTES"),
    ],
)
def test_malformed_operations_settings_stop_start_up_naming_the_setting(
    env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env)
