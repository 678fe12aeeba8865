"""Writes about people and memberships. One function per use case."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.members.models import ApiToken, College, Membership, MembershipApplication, Person
from comptoir.members.permissions import check_staff


def ensure_colleges() -> None:
    """The four colleges (a migration creates them; transactional tests flush them)."""
    for code in College.Code.values:
        College.objects.get_or_create(code=code)


@transaction.atomic
def do_register_person(*, email: str, password: str, full_name: str = "", language: str = "fr") -> Person:
    email = email.strip().lower()
    if Person.objects.filter(email=email).exists():
        raise InvalidInput(_("An account already exists with this email."), field="email")
    try:
        validate_password(password, Person(email=email, full_name=full_name))
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from error
    return Person.objects.create_user(email, password, full_name=full_name, language=language)


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


def do_add_membership(person: Person, college_code: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        person=person, college=College.objects.get(code=college_code)
    )
    return membership


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_issue_api_token(*, email: str, password: str, label: str = "") -> str:
    """Trade a login for a bearer token; the clear token is shown once."""
    person = authenticate(username=email.strip().lower(), password=password)
    if person is None:
        raise NotAllowed(_("Wrong email or password."))
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(person=person, digest=_digest(token), label=label)
    return token


def person_for_api_token(token: str) -> Person | None:
    found = ApiToken.objects.select_related("person").filter(digest=_digest(token)).first()
    if found is None or not found.person.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
    return found.person
