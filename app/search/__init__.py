"""German-aware full-text search over Vorhaben and comments, on SQLite and PostgreSQL."""
