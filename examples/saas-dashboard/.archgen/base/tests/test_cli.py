"""python -m app.cli: create-org, create-user, create-api-key print only the id or key."""

import uuid

import pytest
from sqlalchemy.orm import Session

from app import cli
from app.core.security import api_key_prefix
from app.models import ENTITY_MODELS


def _run(capsys, *argv: str) -> str:  # type: ignore[no-untyped-def]
    assert cli.main(list(argv)) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n") and out.count("\n") == 1
    return out.strip()


def test_cli_creates_org_user_and_key(capsys, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = _run(capsys, "create-org", "Acme \"quoted\" <b>x</b>")
    org_id = uuid.UUID(org)
    assert db.get(ENTITY_MODELS["organizations"], org_id) is not None
    user = _run(
        capsys, "create-user", "--org", org, "--email", "ops@example.test",
        "--password", "a long enough password", "--role", "admin",
    )
    created = db.get(ENTITY_MODELS["users"], uuid.UUID(user))
    assert created.role == "admin" and created.organization_id == org_id
    key = _run(capsys, "create-api-key", "--org", org)
    assert api_key_prefix(key) is not None


def test_cli_refuses_bad_input(capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["create-user", "--org", str(uuid.uuid4()), "--email", "x@example.test",
                     "--password", "a long enough password", "--role", "admin"]) == 2
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit):
        cli.main(["create-user", "--org", str(uuid.uuid4()), "--email", "x@example.test",
                  "--password", "p", "--role", "root"])
