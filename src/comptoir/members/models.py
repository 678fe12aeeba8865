"""People, colleges and memberships. Thin: fields and constraints only."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> Person:
        if not email:
            raise ValueError("an email is required")
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> Person:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class Person(AbstractBaseUser, PermissionsMixin):
    """Anyone with a login: resident, shop staff, courier, dispatcher, operator."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    # The delivery address a resident chose to keep, offered at their next checkout.
    saved_address = models.CharField(_("saved address"), max_length=200, blank=True)
    saved_postal_code = models.CharField(_("saved postal code"), max_length=10, blank=True)
    saved_city = models.CharField(_("saved city"), max_length=100, blank=True)
    saved_lat = models.FloatField(_("saved latitude"), null=True, blank=True)
    saved_lon = models.FloatField(_("saved longitude"), null=True, blank=True)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name or self.email


class College(models.Model):
    """A class of members that votes together."""

    class Code(models.TextChoices):
        SHOPS = "shops", _("Shops")
        WORKERS = "workers", _("Workers")
        RESIDENTS = "residents", _("Residents")
        STAFF = "staff", _("Staff")

    code = models.CharField(max_length=16, choices=Code.choices, unique=True)

    def __str__(self) -> str:
        return str(self.Code(self.code).label)


class Membership(models.Model):
    """A person's membership of one college: from `since`, with shares, until `ended` (leaving).

    One member, one vote inside their college; a resident may hold zero shares when the node's
    rules allow it. Staff administer the node but their college does not vote.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateField(default=timezone.localdate)
    ended = models.DateField(null=True, blank=True)
    shares = models.PositiveIntegerField(default=0)  # cooperative shares subscribed
    share_value_cents = models.PositiveIntegerField(default=0)  # paid-in value of one share

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "college"], name="one_membership_per_college")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.college}"


class MembershipApplication(models.Model):
    """A request to join a college; staff approve or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="applications")
    college = models.ForeignKey(College, on_delete=models.PROTECT)
    motivation = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "college"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_college",
            )
        ]


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    # Tokens issued before expiry existed got 90 days from the migration (see 0003).
    expires = models.DateTimeField()


class AccountMail(models.Model):
    """When the node last mailed an address about an account (sign-up, reset), to bound how often.

    Without it, anyone could make the node mail any address in a loop through the sign-up and
    reset forms. Only a SHA-256 of the address is kept, and only for the throttle's window.
    """

    address_digest = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    sent = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_digest", "kind"], name="account_mail_lookup")]
