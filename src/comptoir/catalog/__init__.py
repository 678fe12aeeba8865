"""Catalog: shops, their opening hours and staff, offers, categories, imports and exports.

Owns what each shop sells, at what price and with what stock, and the outbox of
changes the search index consumes. It must never rank, search or reserve
stock for an order: search reads from it, orders lock its rows through
`lock_objects.py`.
"""
