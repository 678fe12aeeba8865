import pytest

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.members.models import Membership, MembershipApplication, Person
from comptoir.members.permissions import is_member_of
from comptoir.members.services import (
    do_add_membership,
    do_apply_for_membership,
    do_issue_api_token,
    do_review_application,
    do_sign_up,
    person_for_api_token,
)
from tests.conftest import PASSWORD

URLS = {"confirm_url": "https://node.example/c/{uid}/{token}/", "reset_url": "https://node.example/r/"}


def test_sign_up_hashes_with_argon2_and_normalises_email(db):
    do_sign_up(email="  Lea.Roux@Example.ORG ", password=PASSWORD, full_name="Léa Roux", **URLS)
    person = Person.objects.get()
    assert person.email == "lea.roux@example.org"
    assert person.password.startswith("argon2$")
    assert person.check_password(PASSWORD)
    assert not person.is_active  # until the address is confirmed


def test_sign_up_keeps_one_account_per_address_and_refuses_weak_passwords(db):
    do_sign_up(email="a@example.org", password=PASSWORD, **URLS)
    do_sign_up(email="A@example.org", password="another long passphrase", **URLS)  # no error: a mail instead
    with pytest.raises(InvalidInput):
        do_sign_up(email="b@example.org", password="short", **URLS)
    assert list(Person.objects.values_list("email", flat=True)) == ["a@example.org"]
    assert Person.objects.get().check_password(PASSWORD)


def test_membership_application_is_approved_by_staff_only(make_person):
    applicant = make_person("resident@example.org")
    shopkeeper = make_person("shop@example.org")
    staff = make_person("staff@example.org")
    do_add_membership(staff, "staff")
    application = do_apply_for_membership(applicant, "residents", "J'habite le quartier.")
    with pytest.raises(InvalidInput, match="déjà en attente"):
        do_apply_for_membership(applicant, "residents")
    with pytest.raises(NotAllowed):
        do_review_application(shopkeeper, application.pk, approve=True)
    assert not is_member_of(applicant, "residents")
    membership = do_review_application(staff, application.pk, approve=True)
    assert membership is not None and membership.college.code == "residents"
    assert is_member_of(applicant, "residents")
    assert MembershipApplication.objects.get().status == "approved"
    with pytest.raises(InvalidInput, match="déjà été traitée"):
        do_review_application(staff, application.pk, approve=False)
    with pytest.raises(InvalidInput, match="déjà membre"):
        do_apply_for_membership(applicant, "residents")


def test_rejected_application_makes_no_member(make_person):
    applicant = make_person("x@example.org")
    staff = make_person("staff@example.org", is_staff=True)
    application = do_apply_for_membership(applicant, "workers")
    assert do_review_application(staff, application.pk, approve=False, note="Pas de poste") is None
    assert not Membership.objects.filter(person=applicant).exists()


def test_api_token_is_stored_hashed_and_identifies_its_person(make_person):
    person = make_person("api@example.org")
    token = do_issue_api_token(email="API@example.org", password=PASSWORD)
    assert person.api_tokens.get().digest != token
    assert person_for_api_token(token) == person
    assert person_for_api_token(token + "x") is None
    with pytest.raises(NotAllowed):
        do_issue_api_token(email="api@example.org", password="wrong password")


def test_token_endpoint(anon_api, make_person):
    make_person("api@example.org")
    response = anon_api.call("post", "/auth/token", {"email": "api@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    refused = anon_api.call("post", "/auth/token", {"email": "api@example.org", "password": "nope"})
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "not_allowed",
        "error": "not_allowed",
        "message": "Adresse ou mot de passe incorrect.",
        "details": {},
    }
