"""The chart of accounts: a fixed set of the cooperative's own, and one payable account per weaver (named apart
from the shop.accounts package of people and sign-in).

Accounts are created on first use with ``INSERT … ON CONFLICT DO NOTHING`` and then read back, so two
workers posting at once never fail on the UNIQUE code (both SQLite and PostgreSQL support the clause).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.errors import N_, NotFound
from shop.ledger.models import Account, AccountKind

SYSTEM_ACCOUNTS: dict[str, tuple[str, AccountKind]] = {
    "fund": ("Cooperative fund", AccountKind.liability),
    "processor_fees": ("Processor fees", AccountKind.expense),
    "shipping_income": ("Shipping income", AccountKind.income),
    "stripe_clearing": ("Stripe clearing", AccountKind.asset),
    "marketplace_clearing": ("Marketplace sales to be paid out", AccountKind.asset),
    "cash": ("Cash on hand", AccountKind.asset),
    "bank": ("Bank account", AccountKind.asset),
    "pending_offline": ("Offline payments to reconcile", AccountKind.asset),
    # Money received for an order that could not take it, until the order is reinstated or the money returned.
    "unallocated": ("Payments to resolve", AccountKind.liability),
}
WEAVER_PREFIX = "weaver:"


def weaver_code(weaver_id: int) -> str:
    return f"{WEAVER_PREFIX}{int(weaver_id)}"


def parse_weaver_code(code: str) -> int | None:
    """The weaver id in ``"weaver:<id>"``, or None for any other code."""
    if not code.startswith(WEAVER_PREFIX):
        return None
    digits = code.removeprefix(WEAVER_PREFIX)
    return int(digits) if digits.isdigit() else None


def known_kind(code: str) -> AccountKind:
    """The kind an account with this code has (or would have); NotFound for codes the ledger does not know."""
    if code in SYSTEM_ACCOUNTS:
        return SYSTEM_ACCOUNTS[code][1]
    if parse_weaver_code(code) is not None:
        return AccountKind.liability
    raise NotFound(N_("There is no ledger account “%(code)s”."), code=code)


def find_account(session: Session, code: str) -> Account | None:
    return session.scalar(select(Account).where(Account.code == code))


def account(session: Session, code: str) -> Account:
    """The account with this code, created on first use. Safe when two sessions create it at once."""
    weaver_id = parse_weaver_code(code)
    if weaver_id is not None:
        return weaver_account(session, weaver_id)
    if code not in SYSTEM_ACCOUNTS:
        raise NotFound(N_("There is no ledger account “%(code)s”."), code=code)
    found = find_account(session, code)
    if found is not None:
        return found
    name, kind = SYSTEM_ACCOUNTS[code]
    return _get_or_create(session, code=code, name=name, kind=kind, weaver_id=None)


def weaver_account(session: Session, weaver_id: int) -> Account:
    """What the cooperative owes one weaver (a liability): code ``"weaver:<id>"``."""
    code = weaver_code(weaver_id)
    found = find_account(session, code)
    if found is not None:
        return found
    name = session.scalar(select(Weaver.name).where(Weaver.id == weaver_id))
    if name is None:
        raise NotFound(N_("There is no weaver with the number %(id)s."), id=weaver_id)
    return _get_or_create(session, code=code, name=name[:200], kind=AccountKind.liability, weaver_id=weaver_id)


def _get_or_create(session: Session, *, code: str, name: str, kind: AccountKind, weaver_id: int | None) -> Account:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"code": code, "name": name, "kind": kind, "weaver_id": weaver_id, "created_at": utcnow()}
    session.execute(insert(Account).values(**values).on_conflict_do_nothing())
    created = find_account(session, code)
    if created is None:  # pragma: no cover - only if the same weaver_id had an account under another code
        raise RuntimeError(f"ledger account {code} could not be created")
    return created
