"""People who work in the shop: users and roles, PIN and password sign-in, devices, sessions, audit log."""

from shop.accounts import audit as _audit  # noqa: F401  (registers the audit log's listener)
