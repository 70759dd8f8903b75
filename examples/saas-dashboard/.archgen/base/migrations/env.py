"""Alembic environment: the models' metadata, the URL from DATABASE_URL."""

import warnings
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.core.db import Base, database_url
from app.models import load_all

load_all()

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

config.set_main_option("sqlalchemy.url", database_url().replace("%", "%%"))
target_metadata = Base.metadata

# The metric tables' unique keys differ by database (PostgreSQL: NULLS NOT
# DISTINCT; SQLite: an index on expressions, which neither SQLAlchemy nor
# Alembic can reflect). Each index says which database it is for.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified expression-based index")


def _include_object(dialect: str) -> Any:
    def include(obj: Any, _name: Any, type_: str, reflected: bool, _compare_to: Any) -> bool:
        if type_ == "index" and not reflected:
            wanted = obj.info.get("dialect")
            return wanted is None or wanted == dialect
        return True

    return include


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            include_object=_include_object(connection.dialect.name),
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
