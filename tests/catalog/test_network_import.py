from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.network_import import import_network

HEADER = "shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock\n"


def test_network_import_creates_shops_and_upserts_offers(db, tmp_path):
    path = tmp_path / "network.csv"
    path.write_text(
        HEADER
        + "epi-1,Épicerie Un,47.05,6.00,S1,,Riz basmati,food/grocery,2.20,10\n"
        + "epi-1,Épicerie Un,47.05,6.00,S2,3017620422003,Pâtes,food/grocery,1.20,0\n"
        + "cave-2,Cave Deux,47.06,6.01,W1,,Crémant,snacks/sweet-snacks,9.90,5\n"
        + "cave-2,Cave Deux,47.06,6.01,W2,,Sans prix,food/wine,,5\n"
        + "nowhere,Nulle part,north,6.01,N1,,Objet,,1.00,1\n"
    )
    report = import_network(path)
    assert (report.rows, report.offers_written, report.shops_created) == (5, 3, 2)
    assert [number for number, _ in report.rejected] == [5, 6]
    assert Shop.objects.get(ref="cave-2").status == "active"
    assert report.categories_created == 2
    assert Offer.objects.get(sku="W1").category.path == "snacks/sweet-snacks"
    assert Offer.objects.get(sku="W1").category.parent.path == "snacks"
    path.write_text(HEADER + "epi-1,Épicerie Un,47.05,6.00,S1,,Riz basmati,food/grocery,2.50,3\n")
    report = import_network(path)
    assert (report.offers_written, report.shops_created) == (1, 0)
    rice = Offer.objects.get(shop__ref="epi-1", sku="S1")
    assert (rice.price_cents, rice.stock) == (250, 3)
    assert Offer.objects.count() == 3
