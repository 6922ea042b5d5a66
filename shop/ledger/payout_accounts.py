"""How each weaver is paid: her method and its details (CLABE, Stripe account), and what stops a method now."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from shop.accounts.models import Role, User
from shop.catalogue.models import Weaver
from shop.errors import N_, Forbidden, NotFound, ValidationFailed
from shop.ledger.clabe import clabe_problem, normalize_clabe
from shop.ledger.models import PayoutAccount, PayoutMethod

STRIPE_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]{6,50}")


def require_role(user: User, *roles: Role) -> None:
    """Every payout write checks the role of the person making it."""
    if not any(held.role in roles for held in user.roles):
        raise Forbidden(N_("Your role does not allow this."))


def payout_account(session: Session, weaver_id: int) -> PayoutAccount:
    found = session.get(PayoutAccount, weaver_id)
    return found if found is not None else PayoutAccount(weaver_id=weaver_id)


def method_problem(details: PayoutAccount, method: PayoutMethod, *, stripe_connect: bool) -> str | None:
    if method is PayoutMethod.spei and (not details.clabe or clabe_problem(details.clabe)):
        return N_("No valid CLABE on file for SPEI.")
    if method is PayoutMethod.stripe_connect:
        if not stripe_connect:
            return N_("Stripe Connect payouts are switched off.")
        if not details.stripe_account_id:
            return N_("No Stripe account on file.")
    return None


def set_payout_account(
    session: Session,
    weaver_id: int,
    *,
    method: PayoutMethod,
    clabe: str = "",
    account_holder: str = "",
    stripe_account_id: str = "",
    by: User,
    now: datetime,
) -> PayoutAccount:
    """How a weaver is paid from now on (batches already prepared keep the details they were approved with)."""
    require_role(by, Role.treasurer, Role.admin)
    if session.get(Weaver, weaver_id) is None:
        raise NotFound(N_("We could not find that weaver."))
    problems = []
    problem = clabe_problem(clabe) if clabe.strip() else None
    if problem:
        problems.append(ValidationFailed(problem, field="clabe"))
    clabe = normalize_clabe(clabe) if clabe.strip() and not problem else ""
    if method is PayoutMethod.spei and not clabe and not problem:
        problems.append(ValidationFailed(N_("SPEI needs her CLABE (18 digits)."), field="clabe"))
    stripe_account_id = stripe_account_id.strip()
    if stripe_account_id and not STRIPE_ACCOUNT.fullmatch(stripe_account_id):
        problems.append(ValidationFailed(N_("A Stripe account looks like acct_1A2b3C…"), field="stripe_account_id"))
    if method is PayoutMethod.stripe_connect and not stripe_account_id:
        problems.append(ValidationFailed(N_("Stripe Connect needs her account (acct_…)."), field="stripe_account_id"))
    if problems:
        raise (
            problems[0]
            if len(problems) == 1
            else ValidationFailed(N_("Please correct the marked fields."), errors=problems)
        )
    details = session.get(PayoutAccount, weaver_id)
    if details is None:
        details = PayoutAccount(weaver_id=weaver_id)
        session.add(details)
    details.method, details.clabe = method, clabe or None
    details.account_holder, details.stripe_account_id = account_holder.strip()[:120], stripe_account_id or None
    details.updated_by, details.updated_at = by.name, now
    session.flush()
    return details
