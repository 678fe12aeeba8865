"""No tables: the index lives on disk (`settings.COMPTOIR_SEARCH_DIR`), derived from the catalog.

What is waiting to be indexed is the catalog's own outbox, `catalog.models.OfferChange`;
which index generation a reader serves is told by the files themselves (the `offers`
symlink and its `meta.json`), so readers need no database row to notice a change.
"""
