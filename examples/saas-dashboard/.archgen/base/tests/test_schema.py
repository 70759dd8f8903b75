"""The migrations create exactly the tables the models declare."""

from alembic import command

from app.core.db import Base
from app.models import ENTITY_MODELS, METRIC_MODELS
from tests.conftest import alembic_config


def test_migrations_match_models() -> None:
    # Raises when autogenerate would find a difference.
    command.check(alembic_config())


def test_every_tenant_table_has_organization_id() -> None:
    from app.catalog import ENTITIES

    for key, model in ENTITY_MODELS.items():
        columns = model.__table__.c
        assert ("organization_id" in columns) == ENTITIES[key].tenant
        if ENTITIES[key].tenant:
            assert columns.organization_id.index
    for model in METRIC_MODELS.values():
        assert "organization_id" in model.__table__.c
    assert Base.metadata.tables
