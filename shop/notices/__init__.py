"""Requests to be told something later by e-mail: a similar piece by a weaver, card payment in a country."""
