"""Organizations, users and API keys: shared by the CLI and the admin API."""

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, ROLES, SECRET_COLUMNS
from app.core.db import utcnow
from app.core.security import hash_password, new_api_key
from app.models import ENTITY_MODELS
from app.services.values import to_json

Organization = ENTITY_MODELS["organizations"]
User = ENTITY_MODELS["users"]
SessionRow = ENTITY_MODELS["sessions"]
ApiKey = ENTITY_MODELS["api_keys"]

MIN_PASSWORD_LENGTH = 12


class InvalidInput(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_org(db: Session, name: str) -> Any:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("organization name must be 1 to 200 characters")
    org = Organization(id=uuid.uuid4(), name=name, created_at=utcnow())
    db.add(org)
    db.flush()
    return org


def create_user(db: Session, organization_id: uuid.UUID, email: str, password: str, role: str) -> Any:
    email = normalise_email(email)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 255:
        raise InvalidInput("not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.get(Organization, organization_id) is None:
        raise InvalidInput("no such organization")
    # Unique within the organization only: an address with an account in
    # another organization gets a separate account here, and nothing in the
    # answer tells this organization about the other.
    # archgen:control no-cross-tenant-enumeration
    taken = select(func.count()).select_from(User).where(
        User.organization_id == organization_id, User.email == email
    )
    if db.scalar(taken):
        raise InvalidInput("this organization already has a user with this e-mail address")
    user = User(
        id=uuid.uuid4(),
        organization_id=organization_id,
        email=email,
        password_hash=hash_password(password),
        role=role,
        is_active=True,
        created_at=utcnow(),
    )
    db.add(user)
    try:
        db.flush()
    except IntegrityError as exc:  # the same address added at the same moment
        raise InvalidInput("this organization already has a user with this e-mail address") from exc
    return user


def create_api_key(db: Session, organization_id: uuid.UUID, name: str = "ingestion") -> tuple[Any, str]:
    """The new key row and the key itself, which is shown only once."""
    if db.get(Organization, organization_id) is None:
        raise InvalidInput("no such organization")
    key, prefix, digest = new_api_key()
    row = ApiKey(
        id=uuid.uuid4(),
        organization_id=organization_id,
        name=(name.strip() or "ingestion")[:100],
        prefix=prefix,
        key_hash=digest,
        created_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return row, key


def user_json(user: Any) -> dict[str, Any]:
    hidden = SECRET_COLUMNS["users"]
    out = {
        f.key: to_json(getattr(user, f.attr)) for f in ENTITIES["users"].fields if f.key not in hidden
    }
    out["organization_id"] = str(user.organization_id)
    return out


def api_key_json(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "prefix": row.prefix,
        "created_at": to_json(row.created_at),
        "revoked_at": to_json(row.revoked_at),
    }


def end_sessions(db: Session, user_id: uuid.UUID) -> None:
    db.execute(delete(SessionRow).where(SessionRow.user_id == user_id))


def erase_user(db: Session, user: Any) -> None:
    """GDPR erasure: personal fields blanked, sign-in disabled, sessions ended."""
    # archgen:control gdpr-erasure
    for f in ENTITIES["users"].fields:
        if f.pk or not f.pii:
            continue
        if f.key == "email":
            user.email = f"erased-{user.id.hex}@erased.invalid"
        elif f.nullable:
            setattr(user, f.attr, None)
        elif f.kind in ("string", "text"):
            setattr(user, f.attr, "erased")
    user.password_hash = hash_password(uuid.uuid4().hex)
    user.is_active = False
    end_sessions(db, user.id)
