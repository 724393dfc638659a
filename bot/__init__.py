"""A self-hostable Telegram bot that tells travellers about risks in the countries they follow."""

__version__ = "0.1.0"
