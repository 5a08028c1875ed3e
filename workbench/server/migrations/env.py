"""Alembic environment for the vendor server.

Run in-app only (workbench.server.db.upgrade): the live connection is handed over in
config.attributes["connection"]; no ini file and no fileConfig(), which would silence the
server's loggers.
"""

from alembic import context

from workbench.server.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
