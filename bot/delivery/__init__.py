"""Delivery: the outbox to Telegram, at Telegram's pace, through every kind of failure."""

from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, DrainReport, RenderRequest
from bot.delivery.sender import AiohttpRequest, Sender, SendResult, TelegramSender

__all__ = [
    "AiohttpRequest",
    "DeliveryLimits",
    "Dispatcher",
    "DrainReport",
    "RenderRequest",
    "SendResult",
    "Sender",
    "TelegramSender",
]
