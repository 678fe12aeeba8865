"""A node admin starts a rebuild of the search index from the web and follows it (decision 0028).

The worker's part (`do_run_rebuild`) is called here as the task would call it; the page refreshes
itself with a `<meta http-equiv="refresh">` while the rebuild is queued or running, in French by
default and in English when asked.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from comptoir.catalog.models import Offer, OfferChange, Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, ensure_taxonomy
from comptoir.members.models import Person
from comptoir.search import rebuilds
from comptoir.search.models import IndexRebuild
from comptoir.search.params import parse_params
from comptoir.search.selectors import search_offers

REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def catalog(db: Any, settings: Any, tmp_path: Path) -> Shop:
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()
    shop = do_create_shop(owner=None, ref="fournil", name="Le Fournil", kind="bakery", lat=47.05, lon=6.0,
                          status=Shop.Status.ACTIVE)  # fmt: skip
    for sku, name in [("B1", "Pain complet"), ("B2", "Baguette"), ("B3", "Brioche")]:
        do_create_offer(shop, {"sku": sku, "name_fr": name, "price": "2.00", "stock": "5"})
    do_create_offer(
        shop, {"sku": "B4", "name_fr": "Pain retiré", "price": "2.00", "stock": "5", "active": "false"}
    )
    return shop


@pytest.fixture
def admin(db: Any) -> Client:
    person = Person.objects.create_user(email="admin@example.org", password="x" * 12, is_staff=True)
    client = Client()
    client.force_login(person)
    return client


def test_an_admin_starts_a_rebuild_and_follows_it_to_the_end(catalog: Shop, admin: Client) -> None:
    page = admin.get("/recherche/index/").content.decode()
    assert "Reconstruire l’index de recherche" in page
    assert "4 modifications du catalogue attendent d’être indexées." in page

    response = admin.post("/recherche/index/")
    rebuild = IndexRebuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/recherche/index/reconstructions/{rebuild.pk}/"
    assert (rebuild.status, rebuild.current, rebuild.requested_by.email) == (
        "queued",
        True,
        "admin@example.org",
    )
    waiting = admin.get(response["Location"]).content.decode()
    assert REFRESH in waiting
    assert "En attente du worker" in waiting
    assert '<progress max="100" value="0">' in waiting

    done = rebuilds.do_run_rebuild(rebuild.pk)  # the worker's task
    assert (done.status, done.current, done.done, done.total, done.message) == ("done", None, 3, 3, "")
    assert done.bytes_on_disk and done.bytes_on_disk > 0
    assert OfferChange.objects.count() == 0  # the rebuild covered every queued change
    finished = admin.get(response["Location"]).content.decode()
    assert REFRESH not in finished
    assert "Terminée" in finished
    assert f"3 offres indexées en {str(done.seconds).replace('.', ',')}\u00a0s" in finished
    result = search_offers(parse_params({"q": "brioche"}), "fr").result
    assert [hit.offer_id for hit in result.hits] == [Offer.objects.get(sku="B3").pk]


def test_the_page_shows_progress_while_the_worker_rebuilds(catalog: Shop, admin: Client) -> None:
    rebuild = rebuilds.do_request_rebuild(actor=Person.objects.get(email="admin@example.org"))
    IndexRebuild.objects.filter(pk=rebuild.pk).update(status="running", total=3000)
    rebuilds._Reporter(rebuild)(1500)  # what do_rebuild_index reports every 1,000 offers
    page = admin.get(f"/recherche/index/reconstructions/{rebuild.pk}/").content.decode()
    assert '<progress max="100" value="50">' in page
    assert "1500 offres sur 3000" in page
    assert "Reconstruction en cours" in page
    assert REFRESH in page
    admin.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = admin.get(f"/recherche/index/reconstructions/{rebuild.pk}/").content.decode()
    assert "1500 of 3000 offers" in english
    assert "Rebuilding the search index" in english


def test_a_second_request_while_one_runs_is_refused_and_changes_nothing(catalog: Shop, admin: Client) -> None:
    first = admin.post("/recherche/index/")
    assert first.status_code == 302
    second = admin.post("/recherche/index/")
    assert second.status_code == 422
    started = timezone.localtime(IndexRebuild.objects.get().created).strftime("%H:%M")
    assert (
        f"Une reconstruction de l’index de recherche est déjà en cours (lancée à {started})\u00a0: "
        "suivez-la sur sa page." in second.content.decode()
    )
    assert IndexRebuild.objects.count() == 1
    assert "Suivre la reconstruction en cours (0 %)" in admin.get("/recherche/index/").content.decode()


def test_the_database_itself_allows_one_current_rebuild(catalog: Shop) -> None:
    now = timezone.now()
    IndexRebuild.objects.create(created=now, updated=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndexRebuild.objects.create(created=now, updated=now)
    IndexRebuild.objects.create(created=now, updated=now, status="done", current=None)
    assert IndexRebuild.objects.filter(current=True).count() == 1


def test_a_rebuild_left_by_a_stopped_worker_no_longer_blocks(catalog: Shop) -> None:
    admin = Person.objects.create_user(email="admin@example.org", password="x" * 12, is_staff=True)
    old = rebuilds.do_request_rebuild(actor=admin)
    IndexRebuild.objects.filter(pk=old.pk).update(
        status="running", updated=timezone.now() - timedelta(minutes=16)
    )
    new = rebuilds.do_request_rebuild(actor=admin)
    old.refresh_from_db()
    assert (old.status, old.current, old.message) == (
        "failed",
        None,
        "Le worker s’est arrêté pendant cette reconstruction.",
    )
    assert (new.status, new.current) == ("queued", True)


def test_a_failed_rebuild_says_why_and_frees_the_place(
    catalog: Shop, admin: Client, monkeypatch: Any
) -> None:
    def broken(progress: Any = None) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(rebuilds, "do_rebuild_index", broken)
    admin.post("/recherche/index/")
    failed = rebuilds.do_run_rebuild(IndexRebuild.objects.get().pk)
    assert (failed.status, failed.current, failed.message) == (
        "failed",
        None,
        "La reconstruction a échoué\u00a0: OSError",
    )
    page = admin.get(f"/recherche/index/reconstructions/{failed.pk}/").content.decode()
    assert "Échouée" in page and "La reconstruction a échoué\u00a0: OSError" in page and REFRESH not in page
    assert admin.post("/recherche/index/").status_code == 302  # a new one may be asked for


def test_only_node_admins_reach_the_pages(catalog: Shop, make_person: Any) -> None:
    client = Client()
    assert client.get("/recherche/index/")["Location"].startswith("/connexion/")
    resident = make_person("resident@example.org")
    client.force_login(resident)
    refused = client.post("/recherche/index/")
    assert refused.status_code == 403
    assert "Réservé aux administrateurs du nœud." in refused.content.decode()
    assert IndexRebuild.objects.count() == 0
