"""Words for the demo town: shop kinds, their products in French and English.

Each product line: (French, English, category path, unit, quantities, price range in cents, grams per unit).
Variants multiply them: qualifiers and sizes, so a few hundred lines give thousands of offers.
"""

from __future__ import annotations

TOWN = "Val-sur-Loue"
POSTAL_CODE = "25290"
CENTRE = (47.0560, 6.0040)
NEIGHBOURHOODS = ["Centre", "Gare", "Les Tanneurs", "Saint-Martin", "Les Vignes", "Bord de Loue", "Plateau"]
STREETS = [
    "rue de la République", "Grande Rue", "rue des Tanneurs", "place du Marché", "rue Victor Hugo",
    "avenue de la Gare", "rue Pasteur", "quai de la Loue", "rue des Vignes", "rue Saint-Martin",
    "chemin du Plateau", "rue Jean Jaurès", "rue du Moulin", "place de l'Église", "rue des Écoles",
]  # fmt: skip
FIRST_NAMES = ["Camille", "Louis", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Arthur", "Inès", "Gabriel",
               "Zoé", "Nathan", "Alice", "Paul", "Jeanne", "Théo", "Lina", "Adam", "Rose", "Martin"]  # fmt: skip
LAST_NAMES = ["Martin", "Bernard", "Roux", "Faivre", "Girard", "Bourgeois", "Vuillemin", "Cuenot", "Jacquot",
              "Mercier", "Perrin", "Morel", "Guyon", "Bouveret", "Billod", "Pétetin", "Grosjean", "Cretin"]  # fmt: skip

SHOP_NAMES: dict[str, list[str]] = {
    "bakery": ["Boulangerie du Pont", "Au Pain de la Loue", "Fournil Saint-Martin", "La Mie Dorée", "Boulangerie de la Gare"],
    "grocer": ["Épicerie du Centre", "Chez Mathilde", "Le Panier du Plateau", "Épicerie des Tanneurs"],
    "butcher": ["Boucherie Faivre", "Charcuterie du Haut-Doubs"],
    "cheese": ["Fromagerie de la Loue", "Le Comté d'Antan"],
    "greengrocer": ["Primeur des Vignes", "Les Jardins de Vuillafans"],
    "hardware": ["Quincaillerie Girard", "Bricolage du Moulin", "Outils & Cie"],
    "bookshop": ["Librairie La Page", "Bulles et Romans", "Librairie du Marché"],
    "pharmacy": ["Pharmacie de la République", "Pharmacie de la Gare"],
    "florist": ["Fleurs de Loue", "L'Atelier Floral"],
    "wine": ["Cave des Vignes", "Vins du Jura Chez Paul"],
    "organic": ["Biocoop du Plateau", "La Ruche Verte"],
    "stationery": ["Papeterie des Écoles", "Le Crayon Bleu"],
    "toys": ["Le Coffre à Jouets", "Jeux de Loue"],
    "garden": ["Jardinerie du Bord de Loue"],
    "other": ["Droguerie Perrin", "Le Comptoir Ménager"],
}  # fmt: skip

KIND_LABELS = {
    "bakery": "Boulangerie", "grocer": "Épicerie", "butcher": "Boucherie", "cheese": "Fromagerie",
    "greengrocer": "Primeur", "hardware": "Quincaillerie", "bookshop": "Librairie", "pharmacy": "Pharmacie",
    "florist": "Fleurs", "wine": "Cave", "organic": "Bio", "stationery": "Papeterie", "toys": "Jouets",
    "garden": "Jardinerie", "other": "Droguerie",
}  # fmt: skip

# (fr, en, category, unit, quantities, (min, max) price cents, grams per unit)
PRODUCTS: dict[str, list[tuple[str, str, str, str, list[float], tuple[int, int], int]]] = {
    "bakery": [
        ("Baguette tradition", "Traditional baguette", "food/bakery", "g", [250], (110, 150), 250),
        ("Pain complet", "Wholemeal bread", "food/bakery", "g", [400, 800], (250, 480), 400),
        ("Pain de campagne", "Country bread", "food/bakery", "g", [500, 1000], (280, 560), 500),
        ("Pain aux céréales", "Multigrain bread", "food/bakery", "g", [400], (300, 420), 400),
        ("Pain de seigle", "Rye bread", "food/bakery", "g", [400], (300, 420), 400),
        ("Croissant au beurre", "Butter croissant", "food/bakery", "piece", [1, 6], (110, 720), 60),
        ("Pain au chocolat", "Chocolate croissant", "food/bakery", "piece", [1, 6], (120, 780), 70),
        ("Brioche tressée", "Braided brioche", "food/bakery", "g", [400], (450, 650), 400),
        ("Tarte aux pommes", "Apple tart", "food/bakery", "piece", [1], (1400, 2200), 800),
        ("Éclair au café", "Coffee éclair", "food/bakery", "piece", [1], (250, 350), 90),
        ("Galette comtoise", "Franche-Comté galette", "food/bakery", "piece", [1], (1200, 1800), 600),
        ("Fougasse aux olives", "Olive fougasse", "food/bakery", "piece", [1], (280, 380), 300),
    ],
    "grocer": [
        ("Huile d'olive vierge extra", "Extra virgin olive oil", "food/grocery", "ml", [500, 750, 1000], (650, 1500), 900),
        ("Pâtes penne", "Penne pasta", "food/grocery", "g", [500, 1000], (120, 320), 500),
        ("Riz basmati", "Basmati rice", "food/grocery", "g", [500, 1000], (220, 480), 1000),
        ("Lentilles vertes", "Green lentils", "food/grocery", "g", [500], (250, 420), 500),
        ("Café moulu", "Ground coffee", "food/drinks", "g", [250, 500], (390, 950), 250),
        ("Thé vert", "Green tea", "food/drinks", "g", [100], (350, 690), 100),
        ("Confiture de fraises", "Strawberry jam", "food/sweet", "g", [370], (320, 560), 500),
        ("Miel de montagne", "Mountain honey", "food/sweet", "g", [250, 500], (690, 1390), 500),
        ("Chocolat noir 70 %", "Dark chocolate 70%", "food/sweet", "g", [100], (190, 390), 100),
        ("Farine de blé T65", "Wheat flour T65", "food/grocery", "kg", [1], (130, 260), 1000),
        ("Sucre de canne", "Cane sugar", "food/sweet", "kg", [1], (220, 380), 1000),
        ("Lait demi-écrémé", "Semi-skimmed milk", "food/dairy", "l", [1], (105, 165), 1030),
        ("Œufs frais", "Fresh eggs", "food/dairy", "piece", [6, 12], (230, 560), 60),
        ("Crème fraîche épaisse", "Thick crème fraîche", "food/dairy", "ml", [200, 500], (180, 420), 500),
        ("Jus de pomme", "Apple juice", "food/drinks", "l", [1], (240, 390), 1100),
        ("Eau minérale", "Mineral water", "food/drinks", "l", [1.5], (60, 110), 1550),
        ("Sel de Guérande", "Guérande salt", "food/grocery", "g", [500], (250, 450), 500),
        ("Moutarde de Dijon", "Dijon mustard", "food/grocery", "g", [200], (180, 290), 250),
    ],
    "butcher": [
        ("Saucisse de Morteau", "Morteau sausage", "food/meat", "g", [350, 500], (850, 1350), 400),
        ("Jambon blanc", "Cooked ham", "food/meat", "g", [200], (450, 690), 200),
        ("Poulet fermier", "Free-range chicken", "food/meat", "kg", [1.5], (1200, 1800), 1500),
        ("Steak haché", "Minced beef patty", "food/meat", "g", [250], (450, 650), 250),
        ("Rôti de porc", "Pork roast", "food/meat", "kg", [1], (1290, 1690), 1000),
        ("Saucisse de Montbéliard", "Montbéliard sausage", "food/meat", "g", [300], (690, 990), 300),
        ("Terrine de campagne", "Country terrine", "food/meat", "g", [200], (390, 590), 200),
    ],
    "cheese": [
        ("Comté 18 mois", "Comté aged 18 months", "food/dairy", "g", [250, 500], (650, 1490), 250),
        ("Comté 12 mois", "Comté aged 12 months", "food/dairy", "g", [250, 500], (550, 1190), 250),
        ("Mont d'Or", "Mont d'Or cheese", "food/dairy", "g", [500], (1290, 1690), 550),
        ("Morbier", "Morbier cheese", "food/dairy", "g", [250], (450, 690), 250),
        ("Cancoillotte nature", "Plain cancoillotte", "food/dairy", "g", [250], (290, 420), 250),
        ("Beurre doux", "Unsalted butter", "food/dairy", "g", [250], (290, 450), 250),
        ("Yaourt nature", "Plain yoghurt", "food/dairy", "piece", [4], (220, 380), 500),
        ("Bleu de Gex", "Bleu de Gex cheese", "food/dairy", "g", [250], (550, 790), 250),
    ],
    "greengrocer": [
        ("Pommes Golden", "Golden apples", "food/fruit-veg", "kg", [1, 2], (220, 560), 1000),
        ("Poires Conférence", "Conference pears", "food/fruit-veg", "kg", [1], (290, 420), 1000),
        ("Carottes", "Carrots", "food/fruit-veg", "kg", [1], (140, 260), 1000),
        ("Pommes de terre", "Potatoes", "food/fruit-veg", "kg", [2.5, 5], (290, 750), 2500),
        ("Tomates anciennes", "Heirloom tomatoes", "food/fruit-veg", "kg", [1], (450, 690), 1000),
        ("Salade batavia", "Batavia lettuce", "food/fruit-veg", "piece", [1], (110, 190), 400),
        ("Courgettes", "Courgettes", "food/fruit-veg", "kg", [1], (220, 390), 1000),
        ("Oignons jaunes", "Yellow onions", "food/fruit-veg", "kg", [1], (150, 260), 1000),
        ("Champignons de Paris", "Button mushrooms", "food/fruit-veg", "g", [250, 500], (190, 450), 250),
        ("Bananes", "Bananas", "food/fruit-veg", "kg", [1], (190, 290), 1000),
        ("Citrons", "Lemons", "food/fruit-veg", "piece", [3], (150, 250), 300),
    ],
    "hardware": [
        ("Vis à bois {d}", "Wood screws {d}", "diy/fixings", "piece", [50, 100, 200], (290, 1290), 300),
        ("Chevilles nylon {p}", "Nylon wall plugs {p}", "diy/fixings", "piece", [50, 100], (250, 690), 150),
        ("Clous à tête plate {n}", "Flat-head nails {n}", "diy/fixings", "g", [500], (290, 590), 500),
        ("Tournevis cruciforme PZ{k}", "Pozidriv screwdriver PZ{k}", "diy/tools", "piece", [1], (450, 1290), 150),
        ("Marteau de menuisier", "Claw hammer", "diy/tools", "piece", [1], (990, 2490), 600),
        ("Mètre ruban 5 m", "Tape measure 5 m", "diy/tools", "piece", [1], (590, 1490), 250),
        ("Ampoule LED E27", "LED bulb E27", "diy/electrical", "piece", [1, 3], (390, 1490), 60),
        ("Rallonge électrique 3 m", "Extension cable 3 m", "diy/electrical", "piece", [1], (890, 1690), 500),
        ("Ruban adhésif de masquage", "Masking tape", "diy/paint", "m", [50], (290, 590), 150),
        ("Peinture acrylique blanche", "White acrylic paint", "diy/paint", "l", [0.5, 2.5], (990, 3990), 2800),
        ("Pinceau plat {w} mm", "Flat brush {w} mm", "diy/paint", "piece", [1], (290, 990), 80),
        ("Joint silicone sanitaire", "Sanitary silicone sealant", "diy/plumbing", "ml", [280], (590, 1090), 350),
        ("Ruban téflon", "PTFE tape", "diy/plumbing", "m", [12], (150, 350), 20),
    ],
    "bookshop": [
        ("Roman policier « {t} »", "Crime novel \"{t}\"", "books/fiction", "piece", [1], (790, 2290), 350),
        ("Bande dessinée « {t} »", "Comic book \"{t}\"", "books/comics", "piece", [1], (1190, 1990), 450),
        ("Album jeunesse « {t} »", "Children's picture book \"{t}\"", "books/children", "piece", [1], (990, 1690), 400),
        ("Guide de randonnée du Doubs", "Doubs hiking guide", "books/nonfiction", "piece", [1], (1490, 2290), 300),
        ("Livre de cuisine comtoise", "Franche-Comté cookbook", "books/nonfiction", "piece", [1], (1990, 3490), 800),
        ("Carnet de notes", "Notebook", "stationery/office", "piece", [1], (390, 990), 200),
    ],
    "pharmacy": [
        ("Crème hydratante", "Moisturising cream", "health/hygiene", "ml", [50, 200], (590, 1890), 250),
        ("Savon de Marseille", "Marseille soap", "health/hygiene", "g", [100, 300], (250, 690), 300),
        ("Dentifrice au fluor", "Fluoride toothpaste", "health/hygiene", "ml", [75], (250, 490), 100),
        ("Pansements assortis", "Assorted plasters", "health/pharmacy", "piece", [20, 40], (290, 690), 50),
        ("Gel hydroalcoolique", "Hand sanitiser gel", "health/pharmacy", "ml", [100, 500], (250, 890), 500),
        ("Crème solaire SPF 50", "Sunscreen SPF 50", "health/pharmacy", "ml", [200], (1290, 1990), 250),
        ("Tisane camomille", "Chamomile herbal tea", "health/pharmacy", "piece", [20], (290, 490), 40),
        ("Thermomètre digital", "Digital thermometer", "health/pharmacy", "piece", [1], (690, 1490), 50),
    ],
    "florist": [
        ("Bouquet de saison", "Seasonal bouquet", "garden/plants", "piece", [1], (1500, 4500), 600),
        ("Rose rouge", "Red rose", "garden/plants", "piece", [1, 12], (250, 3000), 50),
        ("Orchidée en pot", "Potted orchid", "garden/plants", "piece", [1], (1990, 3490), 1200),
        ("Plante verte d'intérieur", "Indoor green plant", "garden/plants", "piece", [1], (990, 3990), 2000),
    ],
    "wine": [
        ("Vin jaune du Jura", "Jura vin jaune", "food/wine", "ml", [620], (2990, 4990), 1300),
        ("Crémant du Jura brut", "Crémant du Jura brut", "food/wine", "ml", [750], (990, 1690), 1500),
        ("Savagnin", "Savagnin white wine", "food/wine", "ml", [750], (1490, 2490), 1300),
        ("Poulsard", "Poulsard red wine", "food/wine", "ml", [750], (1190, 1990), 1300),
        ("Bière blonde artisanale", "Craft blonde beer", "food/drinks", "ml", [330], (250, 450), 550),
        ("Macvin du Jura", "Macvin du Jura", "food/wine", "ml", [750], (1890, 2690), 1300),
    ],
    "organic": [
        ("Flocons d'avoine bio", "Organic rolled oats", "food/grocery", "g", [500], (190, 350), 500),
        ("Quinoa bio", "Organic quinoa", "food/grocery", "g", [500], (450, 790), 500),
        ("Lait d'avoine bio", "Organic oat milk", "food/drinks", "l", [1], (190, 290), 1050),
        ("Tofu nature bio", "Organic plain tofu", "food/grocery", "g", [250], (290, 450), 250),
        ("Pois chiches bio", "Organic chickpeas", "food/grocery", "g", [500], (250, 420), 500),
        ("Amandes décortiquées bio", "Organic shelled almonds", "food/sweet", "g", [250], (690, 1090), 250),
        ("Lessive écologique", "Eco laundry detergent", "home/cleaning", "l", [1.5], (690, 1190), 1600),
        ("Vinaigre blanc", "White vinegar", "home/cleaning", "l", [1], (150, 290), 1050),
    ],
    "stationery": [
        ("Cahier grands carreaux 96 pages", "Exercise book 96 pages", "stationery/school", "piece", [1], (150, 390), 300),
        ("Stylo bille bleu", "Blue ballpoint pen", "stationery/school", "piece", [1, 4], (90, 490), 10),
        ("Crayons de couleur", "Colouring pencils", "stationery/school", "piece", [12, 24], (390, 1290), 200),
        ("Ramette papier A4", "A4 paper ream", "stationery/office", "piece", [500], (490, 890), 2500),
        ("Classeur à levier", "Lever arch file", "stationery/office", "piece", [1], (290, 590), 500),
        ("Agenda scolaire", "School diary", "stationery/school", "piece", [1], (690, 1490), 300),
    ],
    "toys": [
        ("Puzzle {n} pièces", "{n}-piece jigsaw puzzle", "toys", "piece", [1], (990, 2990), 600),
        ("Jeu de société coopératif", "Cooperative board game", "toys", "piece", [1], (1990, 3990), 900),
        ("Peluche renard", "Fox soft toy", "toys", "piece", [1], (1490, 2490), 200),
        ("Jeu de construction en bois", "Wooden building set", "toys", "piece", [1], (2490, 4990), 1500),
        ("Ballon de football", "Football", "toys", "piece", [1], (990, 1990), 400),
    ],
    "garden": [
        ("Terreau universel", "All-purpose compost", "garden/plants", "l", [20, 40], (590, 1290), 12000),
        ("Graines de tomates", "Tomato seeds", "garden/plants", "piece", [1], (190, 390), 10),
        ("Sécateur", "Pruning shears", "garden/tools", "piece", [1], (1490, 3990), 250),
        ("Arrosoir 10 litres", "10-litre watering can", "garden/tools", "piece", [1], (990, 1990), 800),
        ("Gants de jardinage", "Gardening gloves", "garden/tools", "piece", [1], (490, 1290), 100),
    ],
    "other": [
        ("Éponges grattantes", "Scouring sponges", "home/cleaning", "piece", [3, 6], (150, 390), 60),
        ("Liquide vaisselle", "Washing-up liquid", "home/cleaning", "ml", [500, 1000], (190, 450), 1000),
        ("Torchons en coton", "Cotton tea towels", "home/kitchen", "piece", [2], (690, 1290), 200),
        ("Bougie parfumée", "Scented candle", "home/decor", "piece", [1], (890, 1990), 300),
        ("Poêle antiadhésive 28 cm", "Non-stick frying pan 28 cm", "home/kitchen", "piece", [1], (1990, 4490), 1200),
    ],
}  # fmt: skip

FILLERS = {
    "d": ["3x20", "3x30", "3,5x35", "4x30", "4x40", "4x50", "5x50", "5x60", "6x80"],
    "p": ["5 mm", "6 mm", "8 mm", "10 mm"],
    "n": ["20 mm", "30 mm", "40 mm", "60 mm", "500", "1000"],
    "k": ["1", "2", "3"],
    "w": ["20", "30", "40", "50", "70"],
    "t": ["Les Brumes de la Loue", "Le Secret du Moulin", "Nuit sur le Plateau", "L'Hiver à Ornans",
          "La Forêt des Renards", "Le Voyage de Zoé", "Les Tanneurs", "Sous le Pont", "Mystère au marché",
          "La Dernière Cave", "Le Petit Courbet", "Neige de mars", "Les Sentiers oubliés", "La Source bleue"],
}  # fmt: skip

QUALIFIERS = [
    ("", ""), (" bio", " organic"), (" de la région", " local"), (" artisanal", " craft"),
    (" sélection", " selection"), (" maison", " home-made"),
]  # fmt: skip
