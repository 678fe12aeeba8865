"""The cooperative's books: double-entry, immutable, in integer minor units per currency.

It owns the chart of accounts, entries and their lines, payments in (bank statements),
payouts out (ISO 20022 files) and the monthly at-cost reports. Orders and delivery post
to it through `services` in their own transactions, handing plain figures (`postings`);
it must never import orders' or delivery's services, never update or delete a line (a
correction is a new entry), and never mix currencies in one sum.
"""
