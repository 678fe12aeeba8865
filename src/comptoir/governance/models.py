"""Parameter versions, proposals, comments, votes and refusals. Thin: fields and constraints.

A vote is stored twice, on purpose, in two tables that share nothing but the proposal:
`Participation` says who voted (so nobody votes twice) and `Ballot` says which receipt chose
what (so anyone can recount). No column links a ballot to a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DISCUSSION = "discussion", _("In discussion")
        VOTING = "voting", _("Open for vote")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        APPLIED = "applied", _("Adopted and applied")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField()
    discussion_ends = models.DateTimeField(null=True, blank=True)
    voting_opens = models.DateTimeField(null=True, blank=True)
    voting_closes = models.DateTimeField(null=True, blank=True)
    applies_from = models.DateTimeField(_("applies from"), null=True, blank=True)
    # The rules in force when the vote opened (quorum, majority, weights, electorate), frozen.
    rules = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)  # the published tally
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "voting_closes"], name="proposal_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class ProposedChange(models.Model):
    """A new value for a governed parameter, applied with the proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="changes")
    name = models.CharField(max_length=64)
    value = models.CharField(max_length=64)  # exact text of the typed value

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["proposal", "name"], name="one_change_per_parameter")]


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "id"]


class Participation(models.Model):
    """That a member voted on a proposal, in which college — never what they chose."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    college = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "person"], name="one_vote_per_member")]


class Ballot(models.Model):
    """What one receipt chose; published in the tally. The receipt is the voter's secret proof."""

    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballots")
    # The receipt is the key: no sequence number that could be matched with the participations.
    receipt = models.CharField(max_length=32, primary_key=True)
    college = models.CharField(max_length=16)
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        ordering = ["receipt"]  # never insertion order: it would tell who voted when


class ParameterVersion(models.Model):
    """One value of a governed parameter and from when it applies. Never updated, never deleted."""

    name = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    value = models.CharField(max_length=64)
    applies_from = models.DateTimeField()
    recorded_at = models.DateTimeField()
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="one_value_per_version"),
            # Only the founding version exists without the proposal that adopted it.
            models.CheckConstraint(
                condition=Q(version=1) | Q(proposal__isnull=False), name="version_comes_from_a_proposal"
            ),
        ]
        indexes = [models.Index(fields=["name", "applies_from"], name="parameter_in_force_idx")]


class RefusedChange(models.Model):
    """An attempt to change a governed value outside an adopted proposal: refused and kept here."""

    name = models.CharField(max_length=64)
    value = models.CharField(max_length=200)
    via = models.CharField(max_length=16)  # admin, api, service
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
