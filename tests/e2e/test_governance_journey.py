"""A member's journey through the cooperative's governance, in a real browser (issue 15).

A member signs in, proposes a new cooperative fee rate with the form, opens the discussion; other
members vote (through the services, for speed); the member votes in the browser and keeps the
receipt; the vote closes and the proposal is adopted; at its start date the new rate applies to the
member's next order, whose fee cites the parameter version and the proposal; the member checks the
receipt against the published tally and reads the month's open books.

Weeks pass in minutes: `django.utils.timezone.now` is shifted forward for the whole process (the
live server runs in a thread of this one), as the demo generator does to date its past.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.utils import timezone

from comptoir.catalog.services import do_create_offer, do_set_opening_hours
from comptoir.core.money import DEFAULT_CURRENCY
from comptoir.core.parameters import governed
from comptoir.governance import services
from comptoir.governance.models import Ballot, Proposal
from comptoir.ledger import reports
from comptoir.members.services import do_add_membership, ensure_colleges
from comptoir.orders.models import Order
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "governance-journey"
REAL_NOW = timezone.now


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _text(page) -> str:
    return re.sub(r"[ \n]+", " ", page.locator("main").inner_text())


def test_a_member_proposes_a_fee_rate_members_adopt_it_and_the_next_order_uses_it(
    page, shop, make_person, settings
):
    settings.SESSION_COOKIE_AGE = 90 * 24 * 3600  # the session outlives the weeks the test skips
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"
    settings.COMPTOIR_POSTCODE_CENTROIDS = {"25000": (47.06, 6.0)}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ensure_colleges()
    do_set_opening_hours(shop, [(d, time(0), time(23, 59)) for d in range(7)])
    bread = do_create_offer(shop, {"sku": "P1", "name_fr": "Pain au levain", "price": "10,00", "stock": "9"})
    joined = timezone.localdate() - timedelta(days=60)
    member = make_person("alice@example.org", full_name="Alice Martin", phone="0601020304")
    do_add_membership(member, "residents", since=joined)
    others = {}
    for email, college in [("boulanger@example.org", "shops"), ("coursier@example.org", "workers"),
                           ("voisin@example.org", "residents")]:  # fmt: skip
        others[college + email] = make_person(email)
        do_add_membership(others[college + email], college, since=joined)
    starts = timezone.localdate() + timedelta(days=17)

    offset = [timedelta(0)]
    with mock.patch("django.utils.timezone.now", new=lambda: REAL_NOW() + offset[0]):
        # 1. The member proposes 1.5 % with the form, and opens the discussion.
        sign_in(page, member.email, PASSWORD)
        page.get_by_role("link", name="Votes", exact=True).click()
        page.get_by_role("heading", name="Votes et propositions").wait_for()
        shot(page, "01-proposals")
        page.get_by_role("link", name="Nouvelle proposition").click()
        page.get_by_label("Titre").fill("Contribution coopérative à 1,5 %")
        page.get_by_label("Pourquoi : le texte que les membres discuteront").fill(
            "Les serveurs coûtent moins cher depuis le changement d'hébergeur."
        )
        page.get_by_label("Paramètre gouverné à changer").select_option("coop_fee_percent")
        page.get_by_label("Valeur proposée").fill("150")
        page.get_by_label("S'applique à partir du").fill(starts.isoformat())
        page.get_by_role("button", name="Enregistrer le brouillon").click()
        page.get_by_text(
            "« 150 » est refusée ; la valeur doit être un nombre de 0\u202f% à 100\u202f%."
        ).wait_for()
        assert Proposal.objects.count() == 0
        shot(page, "02-value-out-of-range")
        page.get_by_label("Valeur proposée").fill("1,5")
        page.get_by_role("button", name="Enregistrer le brouillon").click()
        page.get_by_text("Votre brouillon est enregistré.").wait_for()
        proposal = Proposal.objects.get()
        assert (
            "Sur un panier de 50,00\xa0€, la contribution coopérative passe de 1,00\xa0€ à 0,75\xa0€."
            in _text(page)
        )
        page.get_by_role("button", name="Soumettre à la discussion").click()
        page.get_by_text("La discussion est ouverte.").wait_for()
        shot(page, "03-in-discussion")

        # 2. A week later the vote opens; the other colleges vote, the member votes in the browser.
        offset[0] = timedelta(days=8)
        assert services.tick()["opened"] == 1
        for person, choice in zip(others.values(), ["for", "against", "for"], strict=True):
            services.do_vote(voter=person, proposal_id=proposal.pk, choice=choice)
        page.reload()
        page.get_by_text("Vous votez dans le collège Habitants (poids 30)").wait_for()
        page.get_by_label("Pour", exact=True).check()
        page.get_by_role("button", name="Voter").click()
        page.get_by_role("heading", name="Votre vote est compté").wait_for()
        receipt = page.locator("#receipt").inner_text().strip()
        assert re.fullmatch(r"[0-9a-f]{20}", receipt) and Ballot.objects.get(receipt=receipt).choice == "for"
        shot(page, "04-receipt")

        # 3. The vote closes: adopted, the tally per college with its weights; the receipt checks out.
        offset[0] = timedelta(days=16)
        assert services.tick()["closed"] == 1
        page.goto(f"{page.base_url}/gouvernance/propositions/{proposal.pk}/")
        tally = _text(page)
        assert "4 votants sur 4 (100\u202f%), quorum 10\u202f% atteint" in tally
        assert "approbation pondérée 70\u202f%, majorité au-delà de 50\u202f%" in tally  # 40×1 + 30×0 + 30×1
        assert page.locator("#status").inner_text() == "Adoptée"
        shot(page, "05-adopted-tally")
        page.get_by_role("textbox", name="Reçu").fill(receipt)
        page.get_by_role("button", name="Vérifier").click()
        verdict = page.locator("#verdict").inner_text()
        assert f"Le reçu {receipt} est compté" in verdict and "Pour, collège Habitants" in verdict
        shot(page, "06-receipt-checked")

        # 4. At its start date the worker applies it; the next order's fee cites version 2.
        applies = timezone.make_aware(datetime.combine(starts, time(10)))
        offset[0] = applies - REAL_NOW()
        assert services.tick()["applied"] == 1
        in_force = governed("coop_fee_percent")
        assert (in_force.value, in_force.version, in_force.proposal_id) == (Decimal("1.5"), 2, proposal.pk)
        page.goto(f"{page.base_url}/produits/{bread.pk}/")
        page.get_by_role("button", name="Ajouter Pain au levain au panier").click()
        page.get_by_role("link", name="Panier").click()
        page.get_by_role("link", name="Commander").click()
        total = page.get_by_label("Votre total").inner_text()
        source = f"proposal #{proposal.pk}, in force from {starts.isoformat()} (v2)"
        shown = f"proposition n° {proposal.pk}, en vigueur depuis le {starts:%d/%m/%Y} (v2)"
        assert "0,15\xa0€" in total and shown in total  # 1.5 % of 10,00 €, no longer 0,20 €
        shot(page, "07-checkout-new-rate")
        page.get_by_label("Créneau de livraison").select_option(index=1)
        page.get_by_label("Adresse", exact=True).fill("12 rue des Granges")
        page.get_by_label("Code postal").fill("25000")
        page.get_by_role("button", name="Passer la commande").click()
        page.get_by_text("En attente de l’acceptation des commerces").wait_for()
        order = Order.objects.get()
        coop = order.fee_lines.get(kind="coop")
        assert (coop.amount_cents, coop.rate_percent, coop.source) == (15, Decimal("1.500"), source)
        shot(page, "08-order-cites-version")
        page.get_by_role("link", name=shown).click()  # from the order's fee to the vote that set it
        page.get_by_role("heading", name=f"#{proposal.pk} Contribution coopérative à 1,5 %").wait_for()
        assert page.locator("#status").inner_text() == "Adoptée et appliquée"

        # 5. The member reads the month's open books: the figures are the ledger's.
        month = timezone.localdate().replace(day=1)
        report = reports.month_report(month, DEFAULT_CURRENCY)
        page.get_by_role("link", name="Votes", exact=True).click()
        page.get_by_role("link", name="Comptes ouverts").click()
        page.get_by_role("link", name=month.strftime("%Y-%m")).click()
        assert page.locator("#orders").inner_text() == "1" == str(report.orders)
        assert report.coop_fees == 13  # 15 cents, VAT (20 %) included: 13 + 2
        assert page.locator("#coop-fees").inner_text() == "0,13\xa0€"
        shot(page, "09-month-books")
    assert isinstance(month, date)
