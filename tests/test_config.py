import pytest

from bot.config import DEFAULT_SOURCES, ConfigError, load_settings


def test_defaults_need_nothing_but_run_offline():
    settings = load_settings({})
    assert settings.token is None
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("bot.sqlite3")
    assert settings.sources == DEFAULT_SOURCES
    assert settings.poll_interval_seconds == 900


def test_missing_token_is_one_clear_line_when_required():
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load_settings({}, require_token=True)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": "nocolon"}, "TELEGRAM_BOT_TOKEN"),
        ({"POLL_INTERVAL_SECONDS": "soon"}, "POLL_INTERVAL_SECONDS"),
        ({"POLL_INTERVAL_SECONDS": "1"}, "POLL_INTERVAL_SECONDS"),
        ({"ADMIN_IDS": "12,bob"}, "ADMIN_IDS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"LOG_JSON": "maybe"}, "LOG_JSON"),
        ({"SOURCES": "us-state"}, "SOURCES"),
        ({"SOURCES": "a=cap@http://x b=cap@http://y a=cap@http://z"}, "SOURCES"),
    ],
)
def test_malformed_setting_names_itself(env, named):
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_sources_can_repeat_a_kind_and_be_switched_off():
    settings = load_settings(
        {
            "SOURCES": "us-state@https://a.example/x.xml nsw=cap@https://b.example/c.xml"
            " !quakes=usgs@https://c.example/q.geojson"
        }
    )
    assert [(s.name, s.kind, s.enabled) for s in settings.sources] == [
        ("us-state", "us-state", True),
        ("nsw", "cap", True),
        ("quakes", "usgs", False),
    ]


def test_admin_ids_and_bot_api_url():
    settings = load_settings(
        {
            "ADMIN_IDS": "1, 2,3",
            "BOT_API_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_BOT_TOKEN": "123:abc",
        }
    )
    assert settings.admin_ids == {1, 2, 3}
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert settings.token == "123:abc"
