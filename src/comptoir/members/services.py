"""Writes about people and memberships. One function per use case."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotAllowed, NotFound
from comptoir.core.geo import GeoError, check_coordinates
from comptoir.members.models import AccountMail, ApiToken, College, Membership, MembershipApplication, Person
from comptoir.members.permissions import check_staff


def ensure_colleges() -> None:
    """The four colleges (a migration creates them; transactional tests flush them)."""
    for code in College.Code.values:
        College.objects.get_or_create(code=code)


@transaction.atomic
def do_sign_up(
    *, email: str, password: str, full_name: str = "", language: str = "fr", confirm_url: str, reset_url: str
) -> None:
    """Sign-up that never says whether an address already has an account.

    Both cases end in a mail to the address and the same answer on the page: a new
    person confirms their address with a one-time link (`confirm_url` with {uid} and
    {token}); the owner of an existing account is told someone tried, with a way to
    reset their password. Only what is wrong with the password itself is shown at once.
    """
    email = email.strip().lower()
    try:
        validate_password(password, Person(email=email, full_name=full_name))
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from error
    person = Person.objects.filter(email=email).first()
    if person is None:
        person = Person.objects.create_user(
            email, password, full_name=full_name, language=language, is_active=False
        )
    elif person.is_active or person.last_login is not None:
        if may_mail_account(email, "account_exists"):
            send_person_mail(person, "account_exists", {"reset_url": reset_url})
        return
    # A new address, or one whose confirmation mail went astray: (again) a link to confirm.
    # The password first chosen stays: a second sign-up must not set the password of an
    # account its owner is about to confirm.
    if may_mail_account(email, "confirm_signup"):
        uid, token = urlsafe_base64_encode(force_bytes(person.pk)), default_token_generator.make_token(person)
        send_person_mail(person, "confirm_signup", {"confirm_url": confirm_url.format(uid=uid, token=token)})


def may_mail_account(email: str, kind: str) -> bool:
    """At most one mail of a kind per address per COMPTOIR_ACCOUNT_MAIL_MINUTES; records this one."""
    now = timezone.now()
    window = timedelta(minutes=settings.COMPTOIR_ACCOUNT_MAIL_MINUTES)
    AccountMail.objects.filter(sent__lt=now - window).delete()
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if AccountMail.objects.filter(address_digest=digest, kind=kind).exists():
        return False
    AccountMail.objects.create(address_digest=digest, kind=kind, sent=now)
    return True


@transaction.atomic
def do_confirm_sign_up(*, uidb64: str, token: str) -> Person:
    """The one-time link of a sign-up mail: the account becomes active (the sign-in spends the token)."""
    try:
        person = Person.objects.select_for_update().get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, Person.DoesNotExist):
        person = None
    if person is None or person.is_active or not default_token_generator.check_token(person, token):
        raise InvalidInput(_("This confirmation link is not valid any more. Sign in, or sign up again."))
    person.is_active = True
    person.save(update_fields=["is_active"])
    return person


def send_person_mail(person: Person, kind: str, context: dict[str, object]) -> None:
    """A mail about someone's account, in their language, sent once the transaction commits."""
    with translation.override(person.language):
        full = {"person": person, "node_name": settings.COMPTOIR_NODE_NAME, **context}
        subject = render_to_string(f"members/emails/{kind}_subject.txt", full).strip()
        body = render_to_string(f"members/emails/{kind}.txt", full)
    transaction.on_commit(lambda: send_mail(subject, body, None, [person.email]))


@transaction.atomic
def do_apply_for_membership(person: Person, college_code: str, motivation: str = "") -> MembershipApplication:
    college = College.objects.get(code=college_code)
    if Membership.objects.filter(person=person, college=college, ended__isnull=True).exists():
        raise InvalidInput(_("You are already a member of this college."))
    try:
        return MembershipApplication.objects.create(person=person, college=college, motivation=motivation)
    except IntegrityError as error:
        raise InvalidInput(_("An application is already pending for this college.")) from error


@transaction.atomic
def do_review_application(
    reviewer: Person, application_id: int, *, approve: bool, note: str = ""
) -> Membership | None:
    check_staff(reviewer)
    application = MembershipApplication.objects.select_for_update().get(pk=application_id)
    if application.status != MembershipApplication.Status.PENDING:
        raise InvalidInput(_("This application has already been reviewed."))
    application.status = (
        MembershipApplication.Status.APPROVED if approve else MembershipApplication.Status.REJECTED
    )
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.review_note = note
    application.save()
    if not approve:
        return None
    membership, _created = Membership.objects.update_or_create(
        person=application.person, college=application.college, defaults={"ended": None}
    )
    return membership


def do_add_membership(
    person: Person,
    college_code: str,
    *,
    shares: int = 0,
    share_value_cents: int = 0,
    since: date | None = None,
) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        person=person, college=College.objects.get(code=college_code),
        defaults={"shares": shares, "share_value_cents": share_value_cents,
                  **({"since": since} if since is not None else {})},
    )  # fmt: skip
    return membership


@transaction.atomic
def do_leave_college(person: Person, college_code: str, *, on: date | None = None) -> Membership:
    """Leaving: the membership ends (kept for the books and past votes), voting rights stop."""
    membership = (
        Membership.objects.select_for_update()
        .filter(person=person, college__code=college_code, ended__isnull=True)
        .first()
    )
    if membership is None:
        raise InvalidInput(_("You are not a member of this college."))
    membership.ended = on or timezone.localdate()
    membership.save(update_fields=["ended"])
    return membership


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_issue_api_token(
    *, email: str, password: str, label: str = "", request: HttpRequest | None = None
) -> str:
    """Trade a login for a bearer token; the clear token is shown once.

    `request` is what sign-in throttling keys on (account and address): the API passes it.
    """
    person = authenticate(request, username=email.strip().lower(), password=password)
    if person is None:
        raise NotAllowed(_("Wrong email or password."))
    return do_create_api_token(person=person, label=label)  # type: ignore[arg-type]


@transaction.atomic
def do_create_api_token(*, person: Person, label: str = "") -> str:
    """A new token for someone already signed in; at most COMPTOIR_API_TOKENS_PER_PERSON live ones."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one issuer at a time per person
    now = timezone.now()
    ApiToken.objects.filter(person=person, expires__lte=now).delete()
    cap = settings.COMPTOIR_API_TOKENS_PER_PERSON
    if ApiToken.objects.filter(person=person).count() >= cap:
        raise InvalidInput(
            _("You already have %(cap)d API tokens: revoke one before creating another.") % {"cap": cap},
            code="too_many_tokens",
        )
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=settings.COMPTOIR_API_TOKEN_DAYS)
    ApiToken.objects.create(person=person, digest=token_digest(token), label=label[:100], expires=expires)
    return token


def api_tokens_of(person: Person) -> list[ApiToken]:
    return list(
        ApiToken.objects.filter(person=person, expires__gt=timezone.now()).order_by("-created", "-id")
    )


def do_revoke_api_token(*, person: Person, token_id: int) -> None:
    deleted, _rows = ApiToken.objects.filter(person=person, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("No such token."))


def do_revoke_all_api_tokens(*, person: Person) -> int:
    deleted, _rows = ApiToken.objects.filter(person=person).delete()
    return deleted


def person_for_api_token(token: str) -> Person | None:
    now = timezone.now()
    found = (
        ApiToken.objects.select_related("person").filter(digest=token_digest(token), expires__gt=now).first()
    )
    if found is None or not found.person.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used=now)
    return found.person


class RevokeApiTokensOnPasswordChange:
    """Django calls `password_changed` of every password validator after a new password is saved.

    That is the one place every password change passes (reset link, change form, admin,
    `changepassword`), so a stolen token dies with the old password.
    """

    def validate(self, password: str, user: object = None) -> None:
        return None

    def password_changed(self, password: str, user: object = None) -> None:
        if isinstance(user, Person) and user.pk is not None:
            do_revoke_all_api_tokens(person=user)

    def get_help_text(self) -> str:
        return _("Changing your password revokes your API tokens.")


@transaction.atomic
def do_save_address(
    person: Person, *, address: str, postal_code: str, city: str, lat: float | None, lon: float | None
) -> Person:
    """Keep a resident's delivery address (and its pin) for their next checkout."""
    if not address.strip():
        raise InvalidInput(_("Enter an address to keep."), field="address")
    if (lat is None) != (lon is None):
        raise InvalidInput(_("A pin needs both a latitude and a longitude."), field="lat")
    if lat is not None and lon is not None:
        try:
            check_coordinates(lat, lon)
        except GeoError as error:
            raise InvalidInput(str(error), field="lat") from error
    person.saved_address, person.saved_postal_code, person.saved_city = (
        address.strip()[:200], postal_code.strip()[:10], city.strip()[:100],
    )  # fmt: skip
    person.saved_lat, person.saved_lon = lat, lon
    person.save(update_fields=["saved_address", "saved_postal_code", "saved_city", "saved_lat", "saved_lon"])
    return person
