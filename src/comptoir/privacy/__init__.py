"""Privacy: what a person or a shop takes with them, and what the node forgets.

It owns the personal archive (everything the node holds about a person, as JSON and CSV in one
ZIP), account erasure (personal data anonymised at once, what the law keeps kept), the purge of
completed deliveries' names, addresses, phones and signatures after the governed retention
period, shop migration bundles between nodes, offers as JSON-LD, and node backups.

It reads every app's models but no app imports it back (an import-linter contract says so):
privacy sits on the outside, like the web pages. It must never keep a copy of what it erases.
"""
