"""Password reset and sign-up never tell whether an address has an account (issue 13 item 6).

Both answer the same page either way; the address's owner learns the rest by mail,
in their own language, sent through a real SMTP server on loopback.
"""

from __future__ import annotations

import re
import socket
import time
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.test import Client

from comptoir.members.models import Person
from tests.conftest import PASSWORD


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1; yields the list of (recipients, message) it receives."""
    from aiosmtpd.controller import Controller

    received: list[tuple[list[str], object]] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield received
    controller.stop()


def wait_for(received: list, count: int) -> None:
    for _ in range(100):
        if len(received) >= count:
            return
        time.sleep(0.02)


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    return message.get_payload(decode=True).decode("utf-8")


def the_page(response) -> str:
    return response.content.decode().split("<main", 1)[-1]


def test_password_reset_same_answer_then_mail_in_the_persons_language(
    smtp, make_person, django_capture_on_commit_callbacks
):
    make_person("lea@example.org", language="en")
    client = Client()
    known = client.post("/mot-de-passe/oublie/", {"email": "lea@example.org"})
    unknown = client.post("/mot-de-passe/oublie/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == "/mot-de-passe/envoye/"
    wait_for(smtp, 1)
    assert [rcpt for rcpt, _m in smtp] == [["lea@example.org"]]  # nothing to the unknown address
    message = smtp[0][1]
    assert subject(message) == "Choose a new password on Comptoir de Val-sur-Loue"  # Léa reads English
    link = re.search(r"http://testserver(/mot-de-passe/nouveau/[^/]+/[^/]+/)", body(message)).group(1)
    form = client.get(link, follow=True)
    assert "Choisissez un nouveau mot de passe" in form.content.decode()
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a fresh passphrase", "new_password2": "a fresh passphrase"},
    )
    assert (saved.status_code, saved["Location"]) == (302, "/mot-de-passe/change/")
    assert Person.objects.get().check_password("a fresh passphrase")
    again = client.get(link, follow=True).content.decode()  # a reset link works once
    assert 'id="reset-link-invalid"' in again


def test_reset_links_expire(smtp, make_person, settings):
    make_person("lea@example.org")
    Client().post("/mot-de-passe/oublie/", {"email": "lea@example.org"})
    wait_for(smtp, 1)
    message = smtp[0][1]
    assert subject(message) == "Choisissez un nouveau mot de passe sur Comptoir de Val-sur-Loue"
    link = re.search(r"http://testserver(/mot-de-passe/nouveau/[^/]+/[^/]+/)", body(message)).group(1)
    assert "Le lien fonctionne une fois, pendant 2 heures." in body(message)
    settings.PASSWORD_RESET_TIMEOUT = 0
    time.sleep(1.1)
    assert 'id="reset-link-invalid"' in Client().get(link, follow=True).content.decode()


def test_sign_up_never_says_an_account_exists(smtp, make_person, django_capture_on_commit_callbacks):
    make_person("lea@example.org", language="fr")
    form = {"full_name": "Léa", "password": "another long passphrase", "language": "en"}
    with django_capture_on_commit_callbacks(execute=True):
        existing = Client().post("/inscription/", {**form, "email": "Lea@Example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        new = Client().post("/inscription/", {**form, "email": "sam@example.org"})
    assert (existing.status_code, existing["Location"]) == (new.status_code, new["Location"])
    assert new["Location"] == "/inscription/envoye/"
    sent_page = the_page(Client().get("/inscription/envoye/"))
    assert "existe déjà" not in sent_page and "Consultez votre boîte" in sent_page
    wait_for(smtp, 2)
    by_rcpt = {rcpt[0]: message for rcpt, message in smtp}
    assert sorted(by_rcpt) == ["lea@example.org", "sam@example.org"]
    assert subject(by_rcpt["lea@example.org"]) == "Votre compte sur Comptoir de Val-sur-Loue"
    assert "http://testserver/mot-de-passe/oublie/" in body(by_rcpt["lea@example.org"])
    assert Person.objects.get(email="lea@example.org").check_password(PASSWORD)  # untouched
    assert subject(by_rcpt["sam@example.org"]) == "Confirm your account on Comptoir de Val-sur-Loue"
    link = re.search(
        r"http://testserver(/inscription/confirmer/[^/]+/[^/]+/)", body(by_rcpt["sam@example.org"])
    )
    sam = Person.objects.get(email="sam@example.org")
    assert not sam.is_active
    assert not Client().login(username="sam@example.org", password="another long passphrase")
    browser = Client()
    assert browser.get(link.group(1)).status_code == 200
    sam.refresh_from_db()
    assert not sam.is_active  # a GET (a mail scanner following the link) changes nothing
    confirmed = browser.post(link.group(1))
    assert (confirmed.status_code, confirmed["Location"]) == (302, "/")
    assert browser.session["_auth_user_id"] == str(sam.pk)
    assert Client().post(link.group(1)).status_code == 400  # once
    assert Person.objects.filter(email="sam@example.org", is_active=True).count() == 1


def test_sign_up_confirmation_links_expire(db, smtp, settings, django_capture_on_commit_callbacks):
    form = {
        "full_name": "Sam",
        "password": "another long passphrase",
        "language": "fr",
        "email": "sam@example.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/inscription/", form)
    wait_for(smtp, 1)
    link = re.search(r"http://testserver(/inscription/confirmer/[^/]+/[^/]+/)", body(smtp[0][1])).group(1)
    settings.PASSWORD_RESET_TIMEOUT = int(timedelta(seconds=0).total_seconds())
    time.sleep(1.1)
    refused = Client().post(link)
    assert (
        refused.status_code == 400
        and "Ce lien de confirmation n’est plus valable" in refused.content.decode()
    )
    assert not Person.objects.get().is_active


def test_forms_cannot_flood_an_address(make_person, mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from comptoir.members.models import AccountMail

    make_person("lea@example.org")
    client = Client()
    answers = {
        client.post("/mot-de-passe/oublie/", {"email": "Lea@example.org"})["Location"] for _ in range(3)
    }
    form = {
        "full_name": "X",
        "password": "another long passphrase",
        "language": "fr",
        "email": "lea@example.org",
    }
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            answers.add(client.post("/inscription/", form)["Location"])
    assert answers == {"/mot-de-passe/envoye/", "/inscription/envoye/"}
    assert [m.subject for m in mailoutbox] == [
        "Choisissez un nouveau mot de passe sur Comptoir de Val-sur-Loue",
        "Votre compte sur Comptoir de Val-sur-Loue",
    ]
    assert "lea@example.org" not in str(list(AccountMail.objects.values_list("address_digest", flat=True)))
    AccountMail.objects.update(sent=timezone.now() - timedelta(minutes=11))
    client.post("/mot-de-passe/oublie/", {"email": "lea@example.org"})
    assert len(mailoutbox) == 3 and AccountMail.objects.count() == 1  # older rows are gone


def test_signing_up_again_before_confirming_resends_the_link_and_keeps_the_password(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from comptoir.members.models import AccountMail

    form = {
        "full_name": "Sam",
        "password": "the first passphrase",
        "language": "fr",
        "email": "sam@example.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/inscription/", form)
    AccountMail.objects.update(sent=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/inscription/", {**form, "password": "an intruder's passphrase"})
    assert [m.subject for m in mailoutbox] == ["Confirmez votre compte sur Comptoir de Val-sur-Loue"] * 2
    link = re.search(r"http://testserver(/inscription/confirmer/[^/]+/[^/]+/)", mailoutbox[-1].body).group(1)
    assert Client().post(link).status_code == 302
    sam = Person.objects.get()
    assert sam.is_active and sam.check_password("the first passphrase")
