"""Rendering: alerts and replies as Telegram HTML in the reader's language (no Telegram here)."""

from bot.render.renderer import Renderer
from bot.render.text import isolate
from bot.render.words import (
    SEVERITY_EMOJI,
    SOURCE_NAMES,
    category_word,
    change_word,
    severity_emoji,
    severity_word,
    source_name,
)

__all__ = [
    "SEVERITY_EMOJI",
    "SOURCE_NAMES",
    "Renderer",
    "category_word",
    "change_word",
    "isolate",
    "severity_emoji",
    "severity_word",
    "source_name",
]
