"""Every reference between the blueprint's tables holds.

A row cannot point at a row that does not exist; deleting the row it points
at deletes it too when the reference is required (a composition's part, a
specialisation) and clears the reference when it is optional (an
aggregation, an association).
"""

import uuid
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.catalog import ENTITIES
from app.models import ENTITY_MODELS
from tests import factories as f

# (entity, field) for every reference a blueprint table holds.
REFERENCES = [
    (key, field.key)
    for key, spec in sorted(ENTITIES.items())
    if spec.origin == "blueprint"
    for field in spec.fields
    if field.reference and field.reference != "organizations" and field.reference in ENTITY_MODELS
]


# The link tables of many-to-many relationships.
PAIRS = [key for key, spec in sorted(ENTITIES.items()) if spec.pair]


@pytest.mark.parametrize("key", PAIRS)
def test_a_link_table_holds_each_pair_once(db: Session, key: str) -> None:
    org_id = f.org(db)
    first = f.row(db, key, org_id)
    same = {name: getattr(first, ENTITIES[key].field(name).attr) for name in ENTITIES[key].pair}
    db.commit()
    with pytest.raises(IntegrityError):
        f.row(db, key, org_id, same)
    db.rollback()


def _missing(target: str) -> Any:
    """A key no row of `target` has."""
    pk = next(p for p in ENTITIES[target].fields if p.pk)
    return uuid.uuid4() if pk.kind == "uuid" else f.sample(pk, 10**9 + 7)


@pytest.mark.parametrize(("key", "field"), REFERENCES)
def test_a_reference_must_name_a_row(db: Session, key: str, field: str) -> None:
    org_id = f.org(db)
    target = ENTITIES[key].field(field).reference
    assert target is not None
    with pytest.raises(IntegrityError):
        f.row(db, key, org_id, {field: _missing(target)})
    db.rollback()


@pytest.mark.parametrize(("key", "field"), REFERENCES)
def test_deleting_the_referenced_row_follows_the_relation(
    db: Session, key: str, field: str
) -> None:
    org_id = f.org(db)
    spec = ENTITIES[key].field(field)
    target = spec.reference
    assert target is not None
    parent = f.row(db, target, org_id)
    parent_pk = f.pk_of(target, parent)
    child = f.row(db, key, org_id, {field: parent_pk})
    child_pk = f.pk_of(key, child)
    db.commit()
    if target == key:
        # A table that refers to itself: the child is not the parent.
        assert child_pk != parent_pk
    target_pk = next(p for p in ENTITIES[target].fields if p.pk)
    model = ENTITY_MODELS[target]
    db.execute(delete(model).where(getattr(model, target_pk.attr) == parent_pk))
    db.commit()
    db.expire_all()
    kept = db.get(ENTITY_MODELS[key], child_pk)
    if spec.nullable:
        assert kept is not None
        assert getattr(kept, spec.attr) is None
    else:
        assert kept is None
