"""Word lists the demo draws invented German people, companies and phone numbers from."""

FEMALE = (
    "Maria", "Sabine", "Julia", "Katrin", "Claudia", "Stefanie", "Nicole", "Petra", "Andrea", "Laura",
    "Lena", "Miriam", "Christina", "Birgit", "Susanne", "Franziska", "Johanna", "Carina", "Verena",
    "Nadine", "Sandra", "Melanie", "Tanja", "Jana", "Ines", "Ute", "Heike", "Annika", "Charlotte", "Marie",
    "Hannah", "Sarah", "Daniela", "Monika", "Gabriele", "Simone", "Bettina", "Kerstin", "Jördis", "Zoë"
)  # fmt: skip
MALE = (
    "Thomas", "Michael", "Andreas", "Stefan", "Markus", "Christian", "Frank", "Jürgen", "Uwe", "Matthias",
    "Alexander", "Daniel", "Sebastian", "Florian", "Jan", "Lars", "Sven", "Dirk", "Oliver", "Martin",
    "Peter", "Klaus", "Ralf", "Björn", "Jörg", "Max", "Moritz", "Philipp", "Benedikt", "Maximilian",
    "Fabian", "Patrick", "Christoph", "Holger", "Torsten", "Wolfgang", "Bernd", "Niklas", "Timo", "Mehmet",
    "Piotr"
)  # fmt: skip
LAST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel",
    "Friedrich", "Keller", "Günther", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke",
    "Albrecht", "Schuster", "Ludwig", "Böhm", "Winter", "Kraus", "Schumacher", "Krämer", "Vogt", "Stein",
    "Jäger", "Sommer", "Groß", "Seidel", "Brandt", "Haas", "Schreiber", "Graf", "Dietrich", "Ziegler",
    "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Voigt", "Sauer", "Arnold", "Pfeiffer", "Brandl",
    "Gruber", "Steiner", "Moser", "Reiter", "Wimmer", "Eder", "Lechner", "Petersen", "Jensen", "Hansen",
    "Carstens", "Thiessen", "Dittmer", "Ahrens", "Janssen", "Yılmaz", "Öztürk", "Kowalski", "Nguyen"
)  # fmt: skip
TRADES = (
    "Logistik", "Maschinenbau", "Elektrotechnik", "Medizintechnik", "Haustechnik", "Verpackungen", "Bau",
    "Immobilien", "Spedition", "Metallbau", "Kunststofftechnik", "Automation", "Steuerberatung",
    "Personalberatung", "IT-Services", "Energietechnik", "Lebensmittel", "Druck", "Fenstertechnik",
    "Gebäudereinigung", "Umwelttechnik", "Antriebstechnik"
)  # fmt: skip
PREFIXES = (
    "Nord", "Süd", "Alpen", "Elb", "Isar", "Hanse", "Rhein", "Main", "Weser", "Donau", "Spree", "Ostsee",
    "Berg", "Stern", "Blau", "Inn", "Lech"
)  # fmt: skip
SUFFIXES = (
    "tec", "form", "log", "med", "bau", "werk", "plan", "soft", "data", "pack", "line", "solar", "tronic",
    "kraft", "wert"
)  # fmt: skip
LEGAL = ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "KG", "SE")
TITLES = (
    ("Geschäftsführer", "Geschäftsführerin"), ("Vertriebsleiter", "Vertriebsleiterin"),
    ("Leiter Einkauf", "Leiterin Einkauf"), ("IT-Leiter", "IT-Leiterin"), ("Head of Sales", "Head of Sales"),
    ("Marketingleiter", "Marketingleiterin"), ("Prokurist", "Prokuristin"), ("CFO", "CFO"),
    ("Teamleiter Innendienst", "Teamleiterin Innendienst"), ("Inhaber", "Inhaberin"), ("COO", "COO"),
    ("Bereichsleiter Vertrieb", "Bereichsleiterin Vertrieb"),
    ("Key Account Manager", "Key Account Managerin"),
)  # fmt: skip
AREAS = {
    "Nord": ("40", "40", "40", "421", "511", "431", "451", "30", "441", "4101"),
    "Süd": ("89", "89", "89", "821", "911", "941", "711", "841", "8031", "931"),
}
MOBILE = ("151", "152", "160", "170", "171", "172", "175", "176", "177", "178", "179")
FREEMAIL = ("gmx.de", "web.de", "t-online.de", "gmail.com", "posteo.de")
