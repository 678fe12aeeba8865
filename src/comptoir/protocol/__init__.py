"""The open protocol: Beckn in ONDC's dialect (retail and logistics 1.2.0).

Owns the node's protocol identity (keys), the signed HTTP endpoints and their
checks, the registry and gateway roles, and the translation between protocol
messages and our orders. It never keeps a second copy of business rules: a
protocol order is placed and moved through orders' and delivery's services.
``wire/`` is the pure core (message models, building, validation, signing).
"""
