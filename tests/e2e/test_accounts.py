"""A visitor follows the footer's "Membership", learns why to sign in, signs up, confirms by mail,
applies; later forgets the password and sets a new one — in Chromium, following only the pages."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from comptoir.members.models import MembershipApplication, Person
from comptoir.members.services import ensure_colleges


def _link(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_sign_up_from_the_footer_confirm_and_reset(page: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ensure_colleges()
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Adhésion").click()
    page.get_by_text("L’adhésion se fait avec un compte").wait_for()
    page.get_by_role("link", name="Créez-en un").click()
    page.get_by_label("Nom complet").fill("Sam Girard")
    page.get_by_label("E-mail").fill("sam@example.org")
    page.get_by_label("Mot de passe").fill("a long enough passphrase")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Consultez votre boîte de réception").wait_for()
    assert mail.outbox[-1].to == ["sam@example.org"]
    assert mail.outbox[-1].subject == "Confirmez votre compte sur Comptoir de Val-sur-Loue"
    page.goto(_link(r"http://[^\s]+/inscription/confirmer/[^\s]+/"))
    page.get_by_role("button", name="Confirmer et me connecter").click()
    page.get_by_text("Bienvenue ! Votre compte est prêt.").wait_for()
    page.goto(page.base_url + "/adhesion/")
    page.get_by_label("Collège").select_option("residents")
    page.get_by_role("button", name="Demander").click()
    page.wait_for_load_state()
    assert MembershipApplication.objects.get().person.email == "sam@example.org"

    page.context.clear_cookies()
    page.goto(page.base_url + "/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("E-mail").fill("sam@example.org")
    page.get_by_role("button", name="Envoyez-moi un lien").click()
    page.get_by_text("Si un compte utilise cette adresse").wait_for()
    page.goto(_link(r"http://[^\s]+/mot-de-passe/nouveau/[^\s]+/"))
    page.get_by_label(re.compile("^Nouveau mot de passe")).fill("another fine passphrase")
    page.get_by_label(re.compile("^Confirmation du nouveau mot de passe")).fill("another fine passphrase")
    assert page.get_by_text("Changer de mot de passe révoque vos jetons d’API.").is_visible()
    page.get_by_role("button", name="Enregistrer mon nouveau mot de passe").click()
    page.get_by_role("heading", name="Mot de passe changé").wait_for()
    assert Person.objects.get(email="sam@example.org").check_password("another fine passphrase")
