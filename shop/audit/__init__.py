"""The audit log: who changed what and when. Every domain registers its audited tables here (``track``);
this package imports none of them."""

from shop.audit.log import REQUEST_STATE, act_as, track

__all__ = ["REQUEST_STATE", "act_as", "track"]
