"""The Telegram door: python-telegram-bot in front of the advisor core."""
