"""Running the bot in production: HTTP health, metrics, open feeds, webhook and backups."""
