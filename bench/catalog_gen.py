"""Deterministic generator of a regional network catalog, for benchmarks.

It recombines the real product names of the Open Food Facts extracts in
`../shared/data/catalog/` (read in place, never copied into the repository)
with sizes, brands and a small hand-written French lexicon, adds a hand-made
hardware and bakery range, and spreads the offers over shops scattered across a
~30 km region. The same seed always gives the same catalog.

Contains data from Open Food Facts (https://world.openfoodfacts.org),
© Open Food Facts contributors, available under the Open Database License (ODbL).

    python bench/catalog_gen.py --offers 10000 --shops 50 --csv /tmp/network.csv
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import itertools
import math
import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from comptoir.search.documents import OfferDoc, group_key_for

# ../shared next to the repository; COMPTOIR_SHARED names it from a worktree elsewhere.
SHARED = Path(os.environ.get("COMPTOIR_SHARED") or Path(__file__).resolve().parents[1] / ".." / "shared")
DATA_DIR = SHARED / "data" / "catalog"
NAMES_FILE = DATA_DIR / "off_names_categories_47k.tsv.gz"
SAMPLES_FILE = DATA_DIR / "off_full_samples_2019_2024.tsv.gz"
REGION_CENTER = (45.7640, 4.8357)  # Lyon
REGION_RADIUS_KM = 15.0
# The network CSV carries a stock count; on-demand offers are seeded with a working stock.
NETWORK_STOCK = {"in_stock": 25, "on_demand": 5, "out_of_stock": 0}
CSV_COLUMNS = ["shop_ref", "shop_name", "lat", "lon", "sku", "gtin", "name", "category", "price", "stock"]

# Word-for-word French for the commonest words of the names: enough for French queries to
# find French words, not a translation.
FRENCH = {
    "cheese": "fromage",
    "cookies": "biscuits",
    "cookie": "biscuit",
    "chocolate": "chocolat",
    "with": "avec",
    "organic": "bio",
    "bread": "pain",
    "cereal": "céréales",
    "cake": "gâteau",
    "hot": "piquant",
    "butter": "beurre",
    "sauce": "sauce",
    "white": "blanc",
    "whole": "complet",
    "wheat": "blé",
    "original": "original",
    "mix": "mélange",
    "mini": "mini",
    "sausage": "saucisse",
    "and": "et",
    "cinnamon": "cannelle",
    "natural": "nature",
    "cream": "crème",
    "sugar": "sucre",
    "grain": "grain",
    "honey": "miel",
    "vanilla": "vanille",
    "sweet": "sucré",
    "free": "sans",
    "sliced": "tranché",
    "peanut": "cacahuète",
    "oatmeal": "flocons d'avoine",
    "italian": "italien",
    "sandwich": "sandwich",
    "shredded": "râpé",
    "pepper": "poivre",
    "almond": "amande",
    "chicken": "poulet",
    "rolls": "petits pains",
    "apple": "pomme",
    "beef": "bœuf",
    "soft": "moelleux",
    "lemon": "citron",
    "garlic": "ail",
    "drink": "boisson",
    "strawberry": "fraise",
    "fruit": "fruit",
    "mild": "doux",
    "corn": "maïs",
    "coffee": "café",
    "red": "rouge",
    "milk": "lait",
    "caramel": "caramel",
    "baked": "cuit",
    "cocoa": "cacao",
    "spread": "pâte à tartiner",
    "fresh": "frais",
    "smoked": "fumé",
    "roasted": "grillé",
    "creamy": "onctueux",
    "rice": "riz",
    "oats": "avoine",
    "oat": "avoine",
    "pumpkin": "potiron",
    "coconut": "noix de coco",
    "pork": "porc",
    "blueberry": "myrtille",
    "flour": "farine",
    "black": "noir",
    "dark": "noir",
    "nut": "noix",
    "toasted": "grillé",
    "onion": "oignon",
    "cherry": "cerise",
    "brown": "brun",
    "salt": "sel",
    "spicy": "épicé",
    "orange": "orange",
    "raspberry": "framboise",
    "cranberry": "canneberge",
    "fat": "gras",
    "low": "allégé",
    "potato": "pomme de terre",
    "potatoes": "pommes de terre",
    "tomato": "tomate",
    "tomatoes": "tomates",
    "pasta": "pâtes",
    "yogurt": "yaourt",
    "egg": "œuf",
    "eggs": "œufs",
    "ham": "jambon",
    "mushroom": "champignon",
    "olive": "olive",
    "oil": "huile",
    "water": "eau",
    "juice": "jus",
    "tea": "thé",
    "green": "vert",
    "bean": "haricot",
    "beans": "haricots",
    "soup": "soupe",
    "pie": "tarte",
    "vegetable": "légume",
    "vegetables": "légumes",
    "jam": "confiture",
    "hazelnut": "noisette",
    "pear": "poire",
    "peach": "pêche",
    "goat": "chèvre",
    "sheep": "brebis",
    "mustard": "moutarde",
    "vinegar": "vinaigre",
    "salad": "salade",
    "crackers": "crackers",
}
BRANDS_FALLBACK = ["Maison Rivière", "Les Halles", "Terre d'Ouest", "Bel Ami", "Croc'Nature"]
UNITS = ["250 g", "500 g", "1 kg", "200 g", "150 g", "330 ml", "1 L", "6 x 125 g", "400 g", "750 ml"]
SHOP_KINDS = [
    ("Épicerie", "grocery"),
    ("Boulangerie", "bakery"),
    ("Fromagerie", "grocery"),
    ("Primeur", "grocery"),
    ("Supérette", "grocery"),
    ("Quincaillerie", "hardware"),
    ("Droguerie", "grocery"),
    ("Biocoop", "grocery"),
]
SURNAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
]


@dataclass(frozen=True, slots=True)
class Product:
    name_fr: str
    name_en: str
    category_path: str
    unit_label: str
    gtin: str | None
    base_price_cents: int
    brand: str
    hardware: bool = False


def read_tsv(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def to_french(name: str) -> str:
    words = [FRENCH.get(w.lower().strip(",."), w) for w in name.split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def ean13(rng: random.Random) -> str:
    """A valid EAN-13 in the restricted-circulation range 2xx, so it never names a real product."""
    body = "2" + "".join(str(rng.randrange(10)) for _ in range(11))
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def _brands() -> list[str]:
    brands = {
        row["brands"].split(",")[0].strip()
        for row in read_tsv(SAMPLES_FILE)
        if row.get("brands") and row["brands"].split(",")[0].strip()
    }
    return sorted(brands) or BRANDS_FALLBACK


def _off_products(rng: random.Random, brands: list[str]) -> Iterator[Product]:
    seen: set[str] = set()
    for row in read_tsv(NAMES_FILE):
        name = " ".join(row["product_name"].split())
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        category = "/".join(row[k] for k in ("level_1", "level_2", "level_3") if row.get(k))
        for unit in rng.sample(UNITS, 1 + (rng.random() < 0.3)):
            brand = rng.choice(brands)
            name_en = f"{brand} {name}" if rng.random() < 0.15 else name
            gtin = ean13(rng) if rng.random() < 0.6 else None
            price = int(rng.lognormvariate(math.log(350), 0.6))
            yield Product(to_french(name_en), name_en, category, unit, gtin, price, brand)


def _french_sample_products(rng: random.Random) -> Iterator[Product]:
    for row in read_tsv(SAMPLES_FILE):
        name = " ".join((row.get("product_name") or "").split())
        if not name or row.get("source") != "fjoalland-2019":
            continue
        tags = [t[3:] for t in (row.get("categories_tags") or "").split(",") if t.startswith("en:")][:3]
        category = "/".join(tags) or "epicerie"
        unit = row.get("quantity") or rng.choice(UNITS)
        brand = (row.get("brands") or "").split(",")[0].strip()
        gtin = row["code"] if (row.get("code") or "").isdigit() and len(row["code"]) == 13 else None
        price = int(rng.lognormvariate(math.log(400), 0.5))
        yield Product(name, name, category, unit[:20], gtin, price, brand)


HARDWARE = [
    (
        "Vis à bois tête fraisée {a}x{b}",
        "Countersunk wood screw {a}x{b}",
        [3, 4, 5, 6],
        [16, 20, 30, 40, 50, 60, 80],
        "screws",
    ),
    ("Cheville nylon {a} mm", "Nylon wall plug {a} mm", [5, 6, 8, 10, 12], [None], "wall-plugs"),
    ("Clou tête plate {b} mm", "Flat head nail {b} mm", [None], [20, 30, 40, 50, 70, 100], "nails"),
    ("Ampoule LED E27 {a} W", "LED bulb E27 {a} W", [4, 6, 9, 12, 15], [None], "light-bulbs"),
    ("Peinture acrylique blanc mat {a} L", "White matt acrylic paint {a} L", [1, 2, 5, 10], [None], "paints"),
    ("Mèche béton {a} mm", "Masonry drill bit {a} mm", [4, 5, 6, 8, 10, 12], [None], "drill-bits"),
    ("Ruban de masquage {a} mm", "Masking tape {a} mm", [19, 25, 38, 50], [None], "tapes"),
    ("Tournevis cruciforme PH{a}", "Phillips screwdriver PH{a}", [0, 1, 2, 3], [None], "screwdrivers"),
    ("Colle à bois vinylique {a} g", "Wood glue {a} g", [250, 750], [None], "glues"),
    ("Joint silicone sanitaire blanc", "White sanitary silicone sealant", [None], [None], "sealants"),
]
FRESH = [
    ("Pain complet", "Wholemeal bread", "bakery/bread/wholemeal-breads"),
    ("Pain de campagne", "Country bread", "bakery/bread/country-breads"),
    ("Baguette tradition", "Traditional baguette", "bakery/bread/baguettes"),
    ("Pain aux céréales", "Multigrain bread", "bakery/bread/multigrain-breads"),
    ("Croissant pur beurre", "All-butter croissant", "bakery/viennoiseries/croissants"),
    ("Pain au chocolat", "Chocolate croissant", "bakery/viennoiseries/pains-au-chocolat"),
    ("Crème fraîche épaisse", "Thick crème fraîche", "dairies/creams/fresh-creams"),
    ("Crème fraîche légère", "Light crème fraîche", "dairies/creams/fresh-creams"),
    ("Beurre doux", "Unsalted butter", "dairies/butters/unsalted-butters"),
    ("Lait demi-écrémé", "Semi-skimmed milk", "dairies/milks/semi-skimmed-milks"),
    ("Yaourt nature", "Plain yogurt", "dairies/fermented-foods/yogurts"),
    ("Fromage blanc", "Fromage frais", "dairies/fermented-foods/fresh-cheeses"),
    ("Œufs plein air", "Free-range eggs", "farming-products/eggs/chicken-eggs"),
    ("Comté 18 mois", "Comté cheese aged 18 months", "dairies/cheeses/french-cheeses"),
]


HARDWARE_BRANDS = ["ProFix", "Atelier", "Bricomax", "Solido", "Vissor", "Outilia"]


def _hand_made_products(rng: random.Random) -> Iterator[Product]:
    for (fr, en, sizes_a, sizes_b, slug), brand in itertools.product(HARDWARE, HARDWARE_BRANDS):
        for a, b in itertools.product(sizes_a, sizes_b):
            name_fr, name_en = fr.format(a=a, b=b), en.format(a=a, b=b)
            price = int(rng.lognormvariate(math.log(600), 0.5))
            category = "hardware/fixings-and-tools/" + slug
            yield Product(
                f"{name_fr} {brand}",
                f"{brand} {name_en}",
                category,
                "boîte",
                ean13(rng),
                price,
                brand,
                hardware=True,
            )
    for fr, en, category in FRESH:
        for unit in ("250 g", "500 g", "1 kg"):
            price = int(rng.lognormvariate(math.log(250), 0.3))
            yield Product(fr, en, category, unit, None, price, "")


def load_products(seed: int = 7) -> list[Product]:
    rng = random.Random(seed)
    brands = _brands()
    return [*_hand_made_products(rng), *_french_sample_products(rng), *_off_products(rng, brands)]


@dataclass(frozen=True, slots=True)
class Shop:
    shop_id: int
    shop_ref: str
    shop_name: str
    kind: str
    lat: float
    lon: float


def _point_near(rng: random.Random, center: tuple[float, float], sigma_km: float) -> tuple[float, float]:
    north, east = rng.gauss(0, sigma_km), rng.gauss(0, sigma_km)
    return center[0] + north / 110.57, center[1] + east / (111.32 * math.cos(math.radians(center[0])))


def _point_in_region(rng: random.Random) -> tuple[float, float]:
    r = REGION_RADIUS_KM * math.sqrt(rng.random())
    theta = rng.uniform(0, 2 * math.pi)
    lat = REGION_CENTER[0] + r * math.cos(theta) / 110.57
    lon = REGION_CENTER[1] + r * math.sin(theta) / (111.32 * math.cos(math.radians(REGION_CENTER[0])))
    return lat, lon


def make_shops(count: int, seed: int = 7) -> list[Shop]:
    """Shops cluster around a dozen town centres; a third are scattered across the region."""
    rng = random.Random(seed * 31 + 1)
    towns = [REGION_CENTER] + [_point_in_region(rng) for _ in range(11)]
    shops = []
    for i in range(count):
        kind, family = SHOP_KINDS[i % len(SHOP_KINDS)]
        if rng.random() < 0.66:
            lat, lon = _point_near(rng, rng.choice(towns), 1.5)
        else:
            lat, lon = _point_in_region(rng)
        name = f"{kind} {rng.choice(SURNAMES)}"
        shops.append(Shop(i + 1, f"shop-{i + 1:05d}", name, family, round(lat, 6), round(lon, 6)))
    return shops


def _zipf_cumulative(n: int, exponent: float = 0.6) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


def _pick(rng: random.Random, pool: list[Product], cumulative: list[float]) -> Product:
    return pool[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]


def generate_offers(offers: int, shops: int, seed: int = 7) -> Iterator[OfferDoc]:
    """`offers` offers over `shops` shops; popular products are sold by many shops."""
    rng = random.Random(seed)
    products = load_products(seed)
    rng.shuffle(products)
    pools = {
        "hardware": [p for p in products if p.hardware],
        "grocery": [p for p in products if not p.hardware],
    }
    pools["bakery"] = pools["grocery"]
    cumulative = {kind: _zipf_cumulative(len(pool)) for kind, pool in pools.items()}
    shop_list = make_shops(shops, seed)
    for offer_id in range(1, offers + 1):
        shop = shop_list[(offer_id - 1) % len(shop_list)]
        product = _pick(rng, pools[shop.kind], cumulative[shop.kind])
        yield _offer(rng, offer_id, shop, product)


def _offer(rng: random.Random, offer_id: int, shop: Shop, product: Product) -> OfferDoc:
    roll = rng.random()
    stock = "in_stock" if roll < 0.8 else "on_demand" if roll < 0.92 else "out_of_stock"
    price = max(10, int(product.base_price_cents * rng.uniform(0.9, 1.15)))
    category_words = product.category_path.rsplit("/", 1)[-1].replace("-", " ")
    return OfferDoc(
        offer_id=offer_id,
        shop_id=shop.shop_id,
        shop_ref=shop.shop_ref,
        shop_name=shop.shop_name,
        sku=f"{shop.shop_ref}-{offer_id}",
        gtin=product.gtin,
        name_fr=product.name_fr,
        name_en=product.name_en,
        description_fr=f"{product.brand} {to_french(category_words)}".strip(),
        description_en=f"{product.brand} {category_words}".strip(),
        category_path=product.category_path,
        price_cents=price,
        stock_state=stock,
        lat=shop.lat,
        lon=shop.lon,
        unit_label=product.unit_label,
        group_key=group_key_for(product.name_fr, product.unit_label, product.gtin),
    )


def write_network_csv(path: str | Path, offers: Iterator[OfferDoc] | list[OfferDoc]) -> int:
    """The CSV that `comptoir catalog import-network` loads: one row per offer, shops repeated."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for o in offers:
            price = f"{o.price_cents // 100}.{o.price_cents % 100:02d}"
            writer.writerow(
                [
                    o.shop_ref,
                    o.shop_name,
                    o.lat,
                    o.lon,
                    o.sku,
                    o.gtin or "",
                    o.name_fr,
                    o.category_path,
                    price,
                    NETWORK_STOCK[o.stock_state],
                ]
            )
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--shops", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--csv", type=Path, required=True)
    args = parser.parse_args()
    rows = write_network_csv(args.csv, generate_offers(args.offers, args.shops, args.seed))
    print(f"wrote {rows} offers to {args.csv}")


if __name__ == "__main__":
    main()
