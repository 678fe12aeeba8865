"""Member governance: proposals, discussion, votes with receipts, and governed parameters' history.

It owns the only path by which a value that shapes the economy changes: a proposal,
discussed, voted by the colleges under the rules in force when the vote opened,
adopted, then applied at its start date by the worker as a new parameter version.
It must never let anything else write a parameter version, never store which member
cast which ballot, and never import the ledger, orders or delivery.
"""
