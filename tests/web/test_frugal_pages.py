"""Pages are compressed and long lists come a page at a time (issue 19, item 1)."""

from __future__ import annotations

import gzip
import re
from typing import Any

from django.test import Client

from comptoir.catalog.models import Offer, Shop
from comptoir.demo.generator import DEMO_DOMAIN, DEMO_PASSWORD, demo_residents, generate_demo
from comptoir.orders.demo import generate_demo_orders


def test_html_and_static_files_are_compressed(db: Any) -> None:
    generate_demo(seed=7, shops=3, offers=90, residents=1, couriers=0)
    client = Client()
    plain = client.get("/commerces/")
    packed = client.get("/commerces/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert html.startswith("<!doctype html>") and "Annuaire des commerces" in html
    assert len(packed.content) < len(plain.content) / 2
    # BREACH: Django pads each compressed response with random bytes, so two of one page differ.
    assert len({len(client.get("/commerces/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(6)}) > 1
    static = b"".join(
        client.get("/static/comptoir/htmx.min.js", HTTP_ACCEPT_ENCODING="gzip").streaming_content
    )
    assert len(gzip.decompress(static)) > 3 * len(static)


def test_a_shop_catalog_comes_thirty_offers_at_a_time(db: Any) -> None:
    generate_demo(seed=7, shops=2, offers=140, residents=1, couriers=0)
    shop = Shop.objects.order_by("pk").first()
    assert shop is not None
    total = Offer.objects.filter(shop=shop, active=True).count()
    assert total == 70
    client = Client()
    names = []
    for page, expected in [(1, 30), (2, 30), (3, 10)]:
        html = client.get(f"/commerces/{shop.ref}/", {"page": page}).content.decode()
        rows = re.findall(r'<td><a href="/produits/(\d+)/">', html)
        assert len(rows) == expected, page
        names += rows
        assert f"Page {page} sur 3" in html
        assert ('rel="next"' in html) == (page < 3) and ('rel="prev"' in html) == (page > 1)
    assert len(set(names)) == 70  # every offer once, none twice
    # A page beyond the last shows the last one, a page that is not a number the first.
    assert "Page 3 sur 3" in client.get(f"/commerces/{shop.ref}/", {"page": 99}).content.decode()
    assert "Page 1 sur 3" in client.get(f"/commerces/{shop.ref}/", {"page": "x"}).content.decode()


def test_my_orders_come_twenty_at_a_time(db: Any) -> None:
    generate_demo(seed=7, shops=4, offers=120, residents=1, couriers=0)
    [resident] = demo_residents()
    assert generate_demo_orders(7, [resident], count=25) == 25
    client = Client()
    assert client.login(username=f"habitant1@{DEMO_DOMAIN}", password=DEMO_PASSWORD)
    first = client.get("/mes-commandes/").content.decode()
    second = client.get("/mes-commandes/", {"page": 2}).content.decode()
    orders = re.compile(r'<a href="/commandes/[^"]+/">')
    assert (len(orders.findall(first)), len(orders.findall(second))) == (20, 5)
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
