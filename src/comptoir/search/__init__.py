"""Search: find an offer in every shop of the node, nearest first, and say why.

This app owns the search index (tantivy, in process), the ranking and its
explanation, facets and grouping of the same product across shops. Its pure core
(`documents`, `analysis`, `queries`, `ranking`, `places`, `facets`, `engine`)
imports no Django: dataclasses in, dataclasses out, behind the `SearchEngine` port.
Around it, the Django side: `services` (the one writer: apply the catalog's
`OfferChange` outbox, rebuild), `tasks` (the worker follows the outbox), `selectors`
(the search call for pages, API and CLI), `api`, `views` and the `comptoir search`
and `comptoir search-rebuild` commands.

It must never be the source of truth: the index is a cache derived from the
catalog, rebuilt from the database at will. It must never accept a paid or
commercial ranking input: an offer's rank depends only on its text match, its
shop's distance and its stock, weighted by governed parameters.
"""
