"""The demo's legal opinions (one per country of the first regions) in each shipped language:
the countries' names, the phrase "under the law of <country>" with each language's articles, and
the opinions' titles and summaries built from them. Each entry reads (German, Spanish, French,
Japanese)."""

from .taxonomy import REGIONS

# The country names in each language, and the phrase "the law of <country>" built from them.
COUNTRIES = {
    "Australia": ("Australien", "Australia", "Australie", "オーストラリア"),
    "Canada": ("Kanada", "Canadá", "Canada", "カナダ"),
    "Czech Republic": ("Tschechien", "Chequia", "République tchèque", "チェコ"),
    "Denmark": ("Dänemark", "Dinamarca", "Danemark", "デンマーク"),
    "Germany": ("Deutschland", "Alemania", "Allemagne", "ドイツ"),
    "Poland": ("Polen", "Polonia", "Pologne", "ポーランド"),
    "Romania": ("Rumänien", "Rumanía", "Roumanie", "ルーマニア"),
    "Spain": ("Spanien", "España", "Espagne", "スペイン"),
    "United Kingdom": ("Vereinigtes Königreich", "Reino Unido", "Royaume-Uni", "英国"),
    "United States": ("Vereinigte Staaten", "Estados Unidos", "États-Unis", "米国"),
}
# German "in <country>", Spanish "de <country>", French "de <country>": with their articles.
_IN_GERMAN = {"Czech Republic": "in Tschechien", "United Kingdom": "im Vereinigten Königreich"}
_OF_SPANISH = {"United Kingdom": "del Reino Unido"}
_OF_FRENCH = {
    "Australia": "de l'Australie",
    "Canada": "du Canada",
    "Czech Republic": "de la République tchèque",
    "Denmark": "du Danemark",
    "Germany": "de l'Allemagne",
    "Poland": "de la Pologne",
    "Romania": "de la Roumanie",
    "Spain": "de l'Espagne",
    "United Kingdom": "du Royaume-Uni",
}


def the_law_of(country: str) -> tuple[str, str, str, str]:
    de, es, _fr, ja = COUNTRIES[country]
    return (
        f"nach dem {_IN_GERMAN.get(country, f'in {de}')} geltenden Recht",
        f"conforme a la legislación {_OF_SPANISH.get(country, f'de {es}')}",
        f"au regard du droit {_OF_FRENCH[country]}",
        f"{ja}の法律に基づく",
    )


# slug: ((title, summary) in de, es, fr, ja), as ``document_translations.DOCUMENTS``.
LEGAL_OPINIONS = {}
for _slug, _country, _code in REGIONS[:9]:
    _names = COUNTRIES[_country]
    _law = the_law_of(_country)
    LEGAL_OPINIONS[f"legal-opinion-{_slug}"] = (
        (
            f"Rechtsgutachten: {_names[0]}",
            f"Gutachten einer externen Kanzlei zur rechtskonformen Nutzung der Dienste {_law[0]}.",
        ),
        (
            f"Dictamen jurídico: {_names[1]}",
            f"Dictamen de un despacho externo sobre el uso de los servicios {_law[1]}.",
        ),
        (
            f"Avis juridique : {_names[2]}",
            f"Avis d'un cabinet externe sur l'utilisation conforme des services {_law[2]}.",
        ),
        (
            f"法的意見書：{_names[3]}",
            f"{_law[3]}サービスの適法な利用についての外部弁護士の意見書。",
        ),
    )
