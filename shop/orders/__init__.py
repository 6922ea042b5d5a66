"""Carts, checkout, orders and their states, shipping rates."""
