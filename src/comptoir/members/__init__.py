"""Members: people, the colleges of the cooperative, memberships, roles, API tokens.

Owns who someone is and what they may touch (`access_*` loaders in
`permissions.py`). It must never decide anything about catalogs, orders or
deliveries beyond "may this person act on this object".
"""
