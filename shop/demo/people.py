"""Demo people for the workspace: Rosa, admin and treasurer, Magdalena, on the council (payouts need a
second person to approve them), and Lucía of the partner organisation, with passwords; each demo weaver a
member with a PIN.

Their secrets are drawn at random when the demo is loaded and written to a file next to the database, never
kept in code, so a demo left running on a network is no more open than its own file system.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlmodel import Session

from shop.accounts.credentials import pin_problem
from shop.accounts.models import Role
from shop.accounts.service import create_user
from shop.catalogue.models import Weaver

ADMIN = ("Rosa Gómez Sántiz", "rosa.gomez")
COUNCIL = ("Magdalena Hernández Pérez", "magdalena.hernandez")
PARTNER = ("Lucía Ramírez (The Hunger Project México)", "lucia.ramirez")


def random_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10_000):04d}"
        if pin_problem(pin) is None:
            return pin


def load_people(session: Session, weavers: list[Weaver]) -> list[str]:
    """Create the demo people; return one line per person saying how she signs in."""
    name, username = ADMIN
    password = secrets.token_urlsafe(9)
    create_user(session, name=name, username=username, roles=[Role.admin, Role.treasurer], password=password)
    lines = [f"{name}: admin and treasurer, username {username}, password {password}"]
    name, username = COUNCIL
    password = secrets.token_urlsafe(9)
    create_user(session, name=name, username=username, roles=[Role.council], password=password)
    lines.append(f"{name}: council (approves payouts), username {username}, password {password}")
    name, username = PARTNER
    password = secrets.token_urlsafe(9)
    create_user(session, name=name, username=username, roles=[Role.partner_staff], password=password)
    lines.append(f"{name}: partner staff (the dashboard and the indicators), username {username}, password {password}")
    for weaver in weavers:
        pin = random_pin()
        # Never the public slug alone: sign-in names must not be read off the weavers' pages.
        username = f"{weaver.slug}-{secrets.token_hex(2)}"
        create_user(session, name=weaver.name, username=username, roles=[Role.member], pin=pin, weaver_id=weaver.id)
        lines.append(f"{weaver.name}: member, username {username}, PIN {pin}")
    return lines


def write_sheet(path: Path, lines: list[str]) -> None:
    """The sign-in sheet, readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
