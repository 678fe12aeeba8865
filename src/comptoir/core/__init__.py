"""Shared kernel: money, geography, time windows, governed parameters, errors.

Owns the small value types every app speaks in. It must never import another
Comptoir app, and its value modules (money, geo) never import Django.
"""
