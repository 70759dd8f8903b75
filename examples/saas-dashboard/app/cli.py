"""Administration from the shell.

    python -m app.cli create-org NAME                       prints the new organization id
    python -m app.cli create-user --org ID --email E --password P --role admin|analyst|viewer
                                                            prints the new user id
    python -m app.cli create-api-key --org ID [--name N]    prints the key (shown only once)
"""

import argparse
import sys
import uuid

from app.catalog import ROLES
from app.core.db import SessionLocal
from app.services.users import InvalidInput, create_api_key, create_org, create_user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    p_org = sub.add_parser("create-org", help="create an organization; prints its id")
    p_org.add_argument("name")
    p_user = sub.add_parser("create-user", help="create a user; prints its id")
    p_user.add_argument("--org", required=True, type=uuid.UUID)
    p_user.add_argument("--email", required=True)
    p_user.add_argument("--password", required=True)
    p_user.add_argument("--role", required=True, choices=ROLES)
    p_key = sub.add_parser("create-api-key", help="create an ingestion API key; prints it once")
    p_key.add_argument("--org", required=True, type=uuid.UUID)
    p_key.add_argument("--name", default="ingestion")
    args = parser.parse_args(argv)
    with SessionLocal() as db:
        try:
            if args.command == "create-org":
                out = str(create_org(db, args.name).id)
            elif args.command == "create-user":
                out = str(create_user(db, args.org, args.email, args.password, args.role).id)
            else:
                out = create_api_key(db, args.org, args.name)[1]
            db.commit()
        except InvalidInput as exc:
            db.rollback()
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
