"""How often one client address, and one e-mail address, may place orders (web form and API alike).

Every order holds pieces, and an offline order sends an e-mail, so a script placing orders in bulk could
hold the one-of-a-kind pieces and write to strangers. A real buyer places one order, perhaps two or three
when she changes her mind; a family or an office behind one address a few more. So:

- offline (bank transfer): 5 in 10 minutes and 20 a day per client address; 3 in 10 minutes and 10 a day
  per e-mail address. These orders hold pieces without any money being asked first.
- card (Stripe): a little looser, 10 in 10 minutes and 40 a day per client address; 5 in 10 minutes and 20 a
  day per e-mail address. Stripe's page asks for a card, and the hold is short anyway.

Both counts are checked before anything is written, and counted only when the order may go ahead, so a
refusal writes no order, no hold and no e-mail. Counts are kept by the shared throttle (``shop.throttle``):
in Redis when the shop has one, so every worker sees them.
"""

from __future__ import annotations

from shop.errors import N_, TooManyRequests
from shop.orders.models import PaymentMethod
from shop.throttle import Rule, Throttle

OFFLINE_PER_CLIENT = Rule("orders-offline-client", "5/10minutes; 20/day")
OFFLINE_PER_EMAIL = Rule("orders-offline-email", "3/10minutes; 10/day")
CARD_PER_CLIENT = Rule("orders-card-client", "10/10minutes; 40/day")
CARD_PER_EMAIL = Rule("orders-card-email", "5/10minutes; 20/day")

TOO_MANY_ORDERS = N_(
    "Too many orders have been placed from here in a short time. Please wait %(minutes)s minutes and try again, "
    "or write to us if you need help."
)


def rules_for(method: PaymentMethod) -> tuple[Rule, Rule]:
    """(per client address, per e-mail address) for orders paid this way."""
    if method is PaymentMethod.stripe:
        return CARD_PER_CLIENT, CARD_PER_EMAIL
    return OFFLINE_PER_CLIENT, OFFLINE_PER_EMAIL


def check_placing(throttle: Throttle, method: PaymentMethod, *, client: str, email: str) -> None:
    """Count this order against both limits, or raise TooManyRequests (counting nothing) if either is full."""
    per_client, per_email = rules_for(method)
    verdict = throttle.hit_all([(per_client, client or "unknown"), (per_email, email.strip().lower() or "none")])
    if not verdict:
        wait = verdict.retry_after
        raise TooManyRequests(TOO_MANY_ORDERS, retry_after=wait, minutes=str(max(1, -(-wait // 60))))
