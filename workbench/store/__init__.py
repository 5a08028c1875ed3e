"""The local SQLite store: schema from the domain model, Alembic migrations, edits with outbox."""
