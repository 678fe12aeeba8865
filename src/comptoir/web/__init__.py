"""Web: server-rendered pages for residents, shops, couriers, dispatchers and members.

Views parse input, call one service or selector, and render. They never hold
business rules, never load a third-party resource, and stay small.
"""
