"""Stripe Checkout and webhooks, offline and in-person payments, refunds."""
