"""The Telegram bot: turns updates into events and feedback into replies; it never writes a
database and never calls OpenAI (see bot/README.md)."""
