"""Accounts, entries and lines. Thin: fields and constraints. Lines are never updated (a database
trigger refuses it, see migration 0002); a correction is a new entry that `reverses` the old one."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Account(models.Model):
    """An account of the chart (`postings.CHART`), or a per-shop / per-courier sub-account."""

    code = models.CharField(max_length=64, unique=True)  # "411", "4671-boulangerie", "421-17"
    parent = models.CharField(max_length=16)  # the chart's code: "4671"
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)  # asset, liability, income, expense
    shop_ref = models.CharField(max_length=64, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Entry(models.Model):
    """One event on the books: its lines balance, per currency."""

    kind = models.CharField(
        max_length=16
    )  # checkout, acceptance, ..., round, payment, refund, payout, cost, reversal
    occurred_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField()
    memo = models.CharField(max_length=300, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    round_id = models.BigIntegerField(null=True, blank=True, unique=True)  # a round is posted once
    payout_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=100, blank=True)  # bank reference, cost invoice number
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    actor_id = models.BigIntegerField(null=True, blank=True)  # who entered it (staff), if a person did
    sources = models.JSONField(default=dict, blank=True)  # governed parameters used: name -> source

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name_plural = "entries"


class Line(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    currency = models.CharField(max_length=3)
    debit = models.BigIntegerField(default=0)  # minor units
    credit = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="line_is_one_debit_or_one_credit",
            )
        ]


class BankLine(models.Model):
    """A credit read from an imported bank statement; importing the same statement twice adds nothing."""

    bank_ref = models.CharField(max_length=100, unique=True)
    booked = models.DateField()
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=300, blank=True)
    order_id = models.BigIntegerField(null=True, blank=True)  # the order it paid, when its number was found
    entry = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_line"
    )
    source = models.CharField(max_length=8)  # camt053 or csv
    imported_at = models.DateTimeField()


class PayeeAccount(models.Model):
    """Where a shop's payouts go: IBAN and BIC (checked with schwifty when entered) in a euro node; in a
    Canadian node, the institution, transit and account numbers (`bank.CanadianAccount`)."""

    shop_ref = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=70)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    institution = models.CharField(max_length=3, blank=True, db_default="")
    transit = models.CharField(max_length=5, blank=True, db_default="")
    account_number = models.CharField(max_length=12, blank=True, db_default="")


class Payout(models.Model):
    """One ISO 20022 pain.001 file paying shops, kept as generated; its entries are on the books."""

    created = models.DateTimeField()
    execution = models.DateField()
    currency = models.CharField(max_length=3)
    total_cents = models.BigIntegerField()
    transfers = models.PositiveIntegerField()
    message_id = models.CharField(max_length=35)
    xml = models.TextField()
    actor_id = models.BigIntegerField(null=True, blank=True)
