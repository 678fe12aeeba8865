"""The demo town's suppliers: farms, a cheese dairy, a brewery, a wood workshop, far-away makers.

Each supplier says which of the demo shops' products it makes (shop kind + the start of the
product's French name), so "local only" in the demo gives a real mix: comté and apples from
a few kilometres, screwdrivers from Saint-Étienne, toys from Guangdong (a region only, so
"origin unknown"), bread that the bakeries make themselves (no supplier at all). Another
demo region passes its own `DemoSupplier` list to `create_suppliers` and `provenance_for`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from comptoir.catalog.models import Supplier
from comptoir.catalog.suppliers import normalise_name

Provenance = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    kind: str
    city: str
    postal_code: str
    region: str
    at: tuple[float, float] | None  # None: far away, known only by its region
    makes: tuple[tuple[str, str], ...]  # (shop kind, start of the product's French name)
    description_fr: str = ""
    description_en: str = ""
    country: str = "FR"
    label: str = ""  # a label vouching for the origin (AOP ...), else the supplier states it
    listed: bool = True


VAL_SUR_LOUE: tuple[DemoSupplier, ...] = (
    DemoSupplier(
        "Ferme des Trois-Rivières", "farm", "Ornans", "25290", "Bourgogne-Franche-Comté", (47.105, 6.145),
        (("greengrocer", "Pommes Golden"), ("greengrocer", "Poires"), ("greengrocer", "Carottes"),
         ("greengrocer", "Pommes de terre"), ("greengrocer", "Tomates anciennes"), ("greengrocer", "Salade"),
         ("greengrocer", "Courgettes"), ("greengrocer", "Oignons"), ("grocer", "Miel de montagne"),
         ("grocer", "Confiture"), ("butcher", "Poulet fermier")),
        "Maraîchage et volailles en plein air au bord de la Loue.", "Vegetables and free-range poultry on the Loue.",
    ),
    DemoSupplier(
        "Fruitière de Vuillafans", "dairy", "Vuillafans", "25840", "Bourgogne-Franche-Comté", (47.069, 6.213),
        (("cheese", "Comté"), ("cheese", "Mont d'Or"), ("cheese", "Morbier"), ("cheese", "Cancoillotte"),
         ("cheese", "Beurre"), ("cheese", "Yaourt"), ("grocer", "Lait")),
        "Fromagerie coopérative : le lait de douze fermes du plateau.", "A cooperative cheese dairy: twelve farms' milk.",
        label="AOP Comté",
    ),
    DemoSupplier(
        "Brasserie de la Loue", "brewery", "Ornans", "25290", "Bourgogne-Franche-Comté", (47.098, 6.121),
        (("wine", "Bière"),), "Bières brassées à l'eau de la source de la Loue.", "Beers brewed with Loue spring water.",
    ),
    DemoSupplier(
        "Atelier Bois du Haut-Doubs", "workshop", "Pontarlier", "25300", "Bourgogne-Franche-Comté", (46.904, 6.355),
        (("toys", "Jeu de construction en bois"), ("other", "Torchons")),
        "Meubles et jouets en épicéa du Haut-Doubs.", "Furniture and toys in Haut-Doubs spruce.",
    ),
    DemoSupplier(
        "Domaine de la Croix d'Arbois", "winery", "Arbois", "39600", "Bourgogne-Franche-Comté", (46.903, 5.774),
        (("wine", "Vin jaune"), ("wine", "Crémant"), ("wine", "Savagnin"), ("wine", "Poulsard"), ("wine", "Macvin")),
        "Vins du Jura, en biodynamie.", "Jura wines, biodynamic.",
    ),
    DemoSupplier(
        "Salaisons du Haut-Doubs", "manufacturer", "Morteau", "25500", "Bourgogne-Franche-Comté", (47.058, 6.607),
        (("butcher", "Saucisse de Morteau"), ("butcher", "Saucisse de Montbéliard"), ("butcher", "Jambon"),
         ("butcher", "Terrine")),
        "Fumé au tuyé, à Morteau.", "Smoked in a tuyé chimney, in Morteau.",
    ),
    DemoSupplier(
        "Moulin de Mouthier", "manufacturer", "Mouthier-Haute-Pierre", "25920", "Bourgogne-Franche-Comté",
        (47.035, 6.275), (("grocer", "Farine"), ("organic", "Flocons d'avoine")),
        "Farines de blés du plateau, moulues à la meule.", "Stone-ground flour from plateau wheat.",
    ),
    DemoSupplier(
        "Éditions du Doubs", "manufacturer", "Besançon", "25000", "Bourgogne-Franche-Comté", (47.238, 6.024),
        (("bookshop", "Guide de randonnée"), ("bookshop", "Livre de cuisine comtoise")),
        "Éditeur régional.", "A regional publisher.",
    ),
    DemoSupplier(
        "Fromagerie du Haut-Jura", "dairy", "Gex", "01170", "Auvergne-Rhône-Alpes", (46.333, 6.058),
        (("cheese", "Bleu de Gex"),), "Bleu de Gex au lait cru.", "Raw-milk Bleu de Gex.", label="AOP Bleu de Gex",
    ),
    # Far away: on the map, but well beyond the local radius.
    DemoSupplier(
        "Outillage Forézien", "manufacturer", "Saint-Étienne", "42000", "Auvergne-Rhône-Alpes", (45.439, 4.387),
        (("hardware", "Tournevis"), ("hardware", "Marteau"), ("hardware", "Mètre ruban"), ("hardware", "Vis à bois"),
         ("hardware", "Clous"), ("hardware", "Chevilles"), ("garden", "Sécateur")),
        "Outils à main depuis 1920.", "Hand tools since 1920.",
    ),
    DemoSupplier(
        "Laboratoires du Rhône", "manufacturer", "Lyon", "69007", "Auvergne-Rhône-Alpes", (45.730, 4.840),
        (("pharmacy", "Crème"), ("pharmacy", "Dentifrice"), ("pharmacy", "Pansements"), ("pharmacy", "Gel"),
         ("other", "Liquide vaisselle")),
    ),
    DemoSupplier(
        "Savonnerie Marseillaise", "manufacturer", "Marseille", "13015", "Provence-Alpes-Côte d'Azur",
        (43.350, 5.360), (("pharmacy", "Savon de Marseille"), ("organic", "Lessive"), ("organic", "Vinaigre")),
    ),
    DemoSupplier(
        "Primeurs de Rungis", "wholesaler", "Rungis", "94150", "Île-de-France", (48.747, 2.350),
        (("greengrocer", "Bananes"), ("greengrocer", "Citrons"), ("greengrocer", "Champignons"), ("grocer", "Café"),
         ("grocer", "Thé"), ("grocer", "Riz"), ("grocer", "Sucre"), ("grocer", "Chocolat")),
    ),
    # Known only by their region: their products' origin cannot be placed ("origin unknown").
    DemoSupplier(
        "Huilerie de Provence", "manufacturer", "", "", "Provence", None, (("grocer", "Huile d'olive"),),
        listed=False,
    ),
    DemoSupplier(
        "Papeteries de Bretagne", "manufacturer", "", "", "Bretagne", None,
        (("stationery", "Cahier"), ("stationery", "Ramette"), ("stationery", "Classeur"), ("stationery", "Agenda"),
         ("bookshop", "Carnet")),
    ),
    DemoSupplier(
        "Jouets du Monde", "manufacturer", "", "", "Guangdong", None,
        (("toys", "Peluche"), ("toys", "Ballon"), ("toys", "Puzzle")), country="CN", listed=False,
    ),
)  # fmt: skip


def create_suppliers(specs: Sequence[DemoSupplier], slug: Callable[[str], str]) -> dict[str, Supplier]:
    """The suppliers, written at once (the demo is one transaction), by name."""
    rows = [
        Supplier(
            ref=slug(s.name)[:64], name=s.name, name_key=normalise_name(s.name), kind=s.kind, city=s.city,
            postal_code=s.postal_code, region=s.region, country=s.country,
            lat=s.at[0] if s.at else None, lon=s.at[1] if s.at else None,
            description_fr=s.description_fr, description_en=s.description_en, listed=s.listed,
        )
        for s in specs
    ]  # fmt: skip
    Supplier.objects.bulk_create(rows)
    return {s.name: s for s in Supplier.objects.filter(ref__in=[r.ref for r in rows])}


def provenance_for(specs: Sequence[DemoSupplier], suppliers: dict[str, Supplier]) -> Provenance:
    """(shop kind, French product name) -> the Offer fields naming its supplier, or {} when the
    shop makes it itself (or nobody knows)."""
    by_kind: dict[str, list[tuple[str, DemoSupplier]]] = {}
    for spec in specs:
        for kind, start in spec.makes:
            by_kind.setdefault(kind, []).append((start, spec))

    def provenance(kind: str, name_fr: str) -> dict[str, Any]:
        for start, spec in by_kind.get(kind, []):
            if name_fr.startswith(start):
                if spec.label:
                    return {
                        "supplier": suppliers[spec.name],
                        "origin_stated_by": "label",
                        "origin_label": spec.label,
                    }
                return {"supplier": suppliers[spec.name], "origin_stated_by": "supplier"}
        return {}

    return provenance
