"""The small open taxonomy shipped with the project: (path, French, English).

Two levels are enough for a town's shops and for search facets; shops may
sell in any category, and a node may add categories through the admin.
"""

from __future__ import annotations

TAXONOMY: list[tuple[str, str, str]] = [
    ("food", "Alimentation", "Food"),
    ("food/bakery", "Boulangerie, pâtisserie", "Bakery and pastry"),
    ("food/dairy", "Crèmerie, fromages, œufs", "Dairy, cheese and eggs"),
    ("food/meat", "Boucherie, charcuterie", "Meat and deli"),
    ("food/fish", "Poissonnerie", "Fish and seafood"),
    ("food/fruit-veg", "Fruits et légumes", "Fruit and vegetables"),
    ("food/grocery", "Épicerie salée", "Savoury groceries"),
    ("food/sweet", "Épicerie sucrée", "Sweet groceries"),
    ("food/drinks", "Boissons", "Drinks"),
    ("food/wine", "Vins et spiritueux", "Wine and spirits"),
    ("food/frozen", "Surgelés", "Frozen food"),
    ("food/baby", "Alimentation bébé", "Baby food"),
    ("health", "Santé, hygiène", "Health and hygiene"),
    ("health/pharmacy", "Parapharmacie", "Pharmacy and care"),
    ("health/hygiene", "Hygiène, beauté", "Hygiene and beauty"),
    ("home", "Maison", "Home"),
    ("home/cleaning", "Entretien", "Cleaning"),
    ("home/kitchen", "Cuisine, arts de la table", "Kitchen and tableware"),
    ("home/decor", "Décoration", "Decoration"),
    ("diy", "Bricolage", "DIY and hardware"),
    ("diy/fixings", "Visserie, fixations", "Screws and fixings"),
    ("diy/tools", "Outillage", "Tools"),
    ("diy/electrical", "Électricité", "Electrical"),
    ("diy/plumbing", "Plomberie", "Plumbing"),
    ("diy/paint", "Peinture", "Paint"),
    ("garden", "Jardin", "Garden"),
    ("garden/plants", "Plantes, fleurs", "Plants and flowers"),
    ("garden/tools", "Outils de jardin", "Garden tools"),
    ("books", "Livres, presse", "Books and press"),
    ("books/fiction", "Romans", "Fiction"),
    ("books/children", "Jeunesse", "Children's books"),
    ("books/nonfiction", "Essais, pratique", "Non-fiction"),
    ("books/comics", "Bandes dessinées", "Comics"),
    ("stationery", "Papeterie", "Stationery"),
    ("stationery/school", "Fournitures scolaires", "School supplies"),
    ("stationery/office", "Bureau", "Office"),
    ("toys", "Jeux, jouets", "Toys and games"),
    ("other", "Divers", "Other"),
]


def parent_path(path: str) -> str | None:
    head, sep, _tail = path.rpartition("/")
    return head if sep else None
