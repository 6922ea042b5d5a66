"""Imports every domain's tables so that the metadata Alembic and the tests see is complete."""

from shop.accounts import models as accounts_models
from shop.audit import models as audit_models
from shop.catalogue import models as catalogue_models
from shop.certification import models as certification_models
from shop.cooperative import models as cooperative_models
from shop.db import metadata
from shop.indicators import models as indicators_models
from shop.ledger import models as ledger_models
from shop.mail import models as mail_models
from shop.marketplaces import models as marketplaces_models
from shop.notices import models as notices_models
from shop.orders import models as orders_models
from shop.partnerships import models as partnerships_models
from shop.payments import models as payments_models
from shop.split_rules import models as split_rules_models
from shop.storefront import models as storefront_models
from shop.translations import models as translations_models

__all__ = [
    "accounts_models",
    "audit_models",
    "catalogue_models",
    "certification_models",
    "cooperative_models",
    "indicators_models",
    "ledger_models",
    "mail_models",
    "marketplaces_models",
    "metadata",
    "notices_models",
    "orders_models",
    "partnerships_models",
    "payments_models",
    "split_rules_models",
    "storefront_models",
    "translations_models",
]
