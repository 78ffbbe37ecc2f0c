"""The words and phrases the rules look for, per language; docs/taxonomy.md explains the choices.

Single Swedish words match inflected forms and compounds ("lokalvård" matches "lokalvårdstjänsterna"
and "städning" matches "kontorsstädning"); single English words match as written (list variants);
phrases of two or more words match on lemmas ("skyddade verkstäder" = "skyddad verkstad").
"""

from __future__ import annotations

import re

# Branch vocabulary: branch -> language -> words and phrases. Only unambiguous words belong here: a
# word in a title is taken as strong evidence (settings.SCORE_RULE_TITLE).
BRANCH_TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "cleaning": {
        "sv": (
            "städning",
            "städ-",
            "städa",
            "städtjänst",
            "lokalvård",
            "lokalvårdare",
            "fönsterputsning",
            "fönsterputs",
            "fönstertvätt",
            "storstädning",
            "golvvård",
            "rengöring",
            "lokalvårdstjänst",
        ),
        "en": (
            "cleaning",
            "cleaners",
            "janitorial",
            "window cleaning",
            "office cleaning",
            "cleaning services",
            "custodial services",
        ),
    },
    "catering": {
        "sv": (
            "catering",
            "måltid",
            "måltidstjänst",
            "skolmåltid",
            "skolmat",
            "matleverans",
            "matdistribution",
            "matlåda",
            "storkök",
            "tillagningskök",
            "restaurang",
            "café",
            "kafé",
            "kafeteria",
            "servering",
            "lunchservering",
            "kantin",
            "personalmatsal",
            "måltidsservice",
            "kaffeservering",
        ),
        "en": (
            "catering",
            "caterer",
            "meals",
            "canteen",
            "restaurant",
            "café",
            "cafe",
            "cafeteria",
            "coffee shop",
            "food services",
            "meal delivery",
            "school meals",
            "meals on wheels",
            "kitchen services",
        ),
    },
    "retail": {
        "sv": ("butik", "detaljhandel", "kiosk", "varuautomat", "försäljningsställe", "secondhandbutik"),
        "en": ("retail", "shop", "shops", "kiosk", "retail trade"),
    },
    "care": {
        "sv": (
            "omsorg",
            "äldreomsorg",
            "hemtjänst",
            "äldreboende",
            "gruppboende",
            "särskilt boende",
            "korttidsboende",
            "stödboende",
            "boendestöd",
            "daglig verksamhet",
            "personlig assistans",
            "ledsagning",
            "ledsagarservice",
            "avlösning",
            "avlösarservice",
            "korttidstillsyn",
            "skyddat boende",
            "missbruksvård",
            "bostad med särskild service",
            "boende med särskild service",
            "socialtjänst",
            "socialt arbete",
            "socialvård",
            "hemvård",
            "familjehem",
            "hvb",
            "lss",
            "omsorgstjänst",
            "dagverksamhet",
            "barnomsorg",
            # vocational rehabilitation and work-integration measures (CPV 85312510); titles only
            "arbetsträning",
            "arbetsrehabilitering",
            "yrkesrehabilitering",
            "arbetsbefrämjande",
            "arbetsförberedande",
        ),
        "en": (
            "home care",
            "domiciliary care",
            "residential care",
            "care home",
            "care homes",
            "nursing home",
            "nursing homes",
            "social care",
            "social work",
            "supported living",
            "supported housing",
            "day centre",
            "day center",
            "day care",
            "daycare",
            "elderly care",
            "care for the elderly",
            "older people",
            "personal assistance",
            "respite",
            "foster care",
            "children's home",
            "floating support",
            "housing support",
            "home help",
            "domestic help",
            "childcare",
            "child care",
            "care and support",
            "nursery services",
            "day nursery",
            "day nurseries",
            "domestic abuse",
            "domestic violence",
            "vocational rehabilitation",
            "supported employment",
            "work rehabilitation",
        ),
    },
    "laundry": {
        "sv": (
            "tvätteri",
            "tvättjänst",
            "tvätttjänst",
            "tvätthantering",
            "kemtvätt",
            "tvättservice",
            "linneservice",
            "textilservice",
            "mangling",
            # "tvätt" alone is also car, window or facade washing; "tvätt av" names what is washed,
            # and goods after it ("tvätt av tjänstebilar") are not laundry (rules.RuleSet.match)
            "tvätt av",
        ),
        "en": ("laundry", "laundering", "dry cleaning", "linen services", "linen hire", "launderette"),
    },
    "grounds": {
        "sv": (
            "grönyteskötsel",
            "grönyta",
            "trädgårdsskötsel",
            "trädgårdsarbete",
            "parkskötsel",
            "markskötsel",
            "gräsklippning",
            "häckklippning",
            "trädvård",
            "beskärning",
            "trädbeskärning",
            "ogräsbekämpning",
            "utemiljö",
            "skötsel av grönytor",
            "skötsel av utemiljö",
        ),
        "en": (
            "grounds maintenance",
            "landscape maintenance",
            "grass cutting",
            "gardening",
            "horticultural",
            "parks maintenance",
            "green spaces",
            "tree surgery",
            "arboricultural",
            "landscaping",
            "hedge cutting",
            "weed control",
            "mowing",
            "grounds",
        ),
    },
    "snow_streets": {
        "sv": (
            "snöröjning",
            "halkbekämpning",
            "vinterväghållning",
            "gaturenhållning",
            "sandning",
            "gatusopning",
            "sopning",
            "sandupptagning",
            "snöskottning",
            "snöbortforsling",
            "plogning",
            "vinterunderhåll",
            "vinterdrift",
        ),
        "en": (
            "snow clearing",
            "snow removal",
            "snow ploughing",
            "snow plowing",
            "gritting",
            "winter maintenance",
            "winter service",
            "street cleaning",
            "street sweeping",
            "road sweeping",
            "sweeping",
            "de-icing",
            "snow",
        ),
    },
    "textiles": {
        "sv": (
            "sömnad",
            "textil",
            "textilier",
            "arbetskläder",
            "kläder",
            "gardin",
            "uniform",
            "hemtextil",
            "sängkläder",
            "handduk",
            "skrädderi",
            "klädsel",
            "sömnadsarbete",
            "ändringssömnad",
        ),
        "en": (
            "textiles",
            "textile",
            "sewing",
            "tailoring",
            "clothing",
            "uniforms",
            "workwear",
            "garments",
            "bed linen",
            "curtains",
            "alterations",
        ),
    },
    "printing": {
        "sv": (
            "tryckning",
            "tryckeri",
            "trycksak",
            "tryckeritjänst",
            "digitaltryck",
            "offsettryck",
            "tryckt material",
        ),
        "en": ("printing", "print services", "printed matter", "reprographics", "print"),
    },
    "removals_courier": {
        "sv": (
            "flytt",
            "flyttning",
            "flyttjänst",
            "flyttfirma",
            "flytthjälp",
            "omlokalisering",
            "budtjänst",
            "budbil",
            "kurir",
            "kurirtjänst",
            "magasinering",
            "budfirma",
        ),
        "en": (
            "removals",
            "removal services",
            "relocation",
            "office moves",
            "courier",
            "couriers",
            "furniture removal",
            "moving services",
            "same day delivery",
            "express delivery",
            "parcel delivery",
        ),
    },
    "recycling": {
        "sv": (
            "återvinning",
            "återbruk",
            "återanvändning",
            "avfall",
            "avfallshantering",
            "sophämtning",
            "avfallstransport",
            "återvinningscentral",
            "hushållsavfall",
            "källsortering",
            "insamling av avfall",
        ),
        "en": (
            "recycling",
            "waste",
            "refuse",
            "re-use",
            "reuse",
            "waste collection",
            "waste management",
            "waste disposal",
            "recyclables",
            "composting",
        ),
    },
    "carpentry": {
        "sv": (
            "snickeri",
            "snickare",
            "snickeriarbete",
            "möbelrenovering",
            "möbelreparation",
            "renovering av möbler",
            "reparation av möbler",
            "möbeltapetsering",
            "omklädsel",
            "byggsnickeri",
            "inredningssnickeri",
            "träarbete",
        ),
        "en": (
            "carpentry",
            "joinery",
            "furniture repair",
            "furniture restoration",
            "upholstery",
            "reupholstery",
            "furniture refurbishment",
            "carpenter",
            "joiner",
        ),
    },
    "property_care": {
        "sv": (
            "fastighetsskötsel",
            "vaktmästeri",
            "vaktmästare",
            "fastighetsservice",
            "fastighetsförvaltning",
            "fastighetsunderhåll",
            "fastighetsdrift",
            "fastighetstjänst",
            "målning",
            "målningsarbete",
            "målare",
            "glasmästeri",
            "drift och skötsel",
        ),
        "en": (
            "facilities management",
            "facility management",
            "caretaking",
            "caretaker",
            "building maintenance",
            "property maintenance",
            "handyman",
            "painting",
            "decorating",
            "glazing",
            "property management",
            "estate management",
            "janitor",
            # UK housing and estates wording for building maintenance (CPV 5070, 4544)
            "planned maintenance",
            "reactive maintenance",
            "responsive repairs",
            "responsive maintenance",
        ),
    },
    "packaging_mailing": {
        "sv": (
            "paketering",
            "förpackning",
            "packning",
            "utskick",
            "kuvertering",
            "postutskick",
            "massutskick",
            "etikettering",
        ),
        "en": (
            "packaging",
            "packing",
            "mailing",
            "mailing services",
            "direct mail",
            "envelope filling",
            "enclosing",
            "fulfilment",
            "fulfillment",
            "mailshot",
        ),
    },
    "it_refurbishing": {
        "sv": (
            "datorreparation",
            "datorservice",
            "reparation av datorer",
            "reparation av it-utrustning",
            "service av datorer",
            "underhåll av datorer",
            "renovering av datorer",
            "rekonditionering av datorer",
        ),
        "en": (
            "computer repair",
            "it equipment repair",
            "repair of computers",
            "refurbished computers",
            "hardware maintenance",
            "computer maintenance",
            "laptop repair",
            "it asset disposal",
        ),
    },
    "vehicle_care": {
        "sv": (
            "biltvätt",
            "fordonstvätt",
            "fordonsvård",
            "bilvård",
            "rekond",
            "bilrekond",
            "fordonsrengöring",
            "tvätt av fordon",
            "tvätt av bilar",
        ),
        "en": (
            "car wash",
            "vehicle washing",
            "vehicle cleaning",
            "valeting",
            "car valeting",
            "fleet cleaning",
            "vehicle valeting",
        ),
    },
}

# A branch word that only qualifies another thing is no branch evidence: goods ("storköksutrustning",
# kitchen equipment; "städmaskiner"; "catering equipment"), staff, bodies and courses ("social care
# workers", "Health and Social Care Partnership", "omsorgsutbildning"). Swedish: the head of a
# compound whose first part is the branch word; English: the word right after the branch phrase.
STAFF_AND_BODIES: frozenset[str] = frozenset(
    [
        "personal",
        "personalen",
        "bemanning",
        "medarbetare",
        "utbildning",
        "utbildningar",
        "utbildningen",
        "kurs",
        "kurser",
        "partnerskap",
        "workers",
        "worker",
        "staff",
        "staffing",
        "personnel",
        "professionals",
        "practitioners",
        "partnership",
        "partnerships",
        "sector",
        "qualifications",
        "qualification",
        "training",
        "courses",
        "apprenticeships",
    ]
)
GOODS: frozenset[str] = frozenset(
    [
        "utrustning",
        "maskin",
        "maskiner",
        "material",
        "medel",
        "produkt",
        "produkter",
        "vagn",
        "vagnar",
        "kärl",
        "fordon",
        "fordonen",
        "bil",
        "bilar",
        "bilarna",
        "buss",
        "bussar",
        "bussarna",
        "artikel",
        "artiklar",
        "kartong",
        "kartonger",
        "automat",
        "automater",
        "system",
        "programvara",
        "verktyg",
        "tillbehör",
        "förbrukningsmaterial",
        "avfall",  # "textilavfall" is waste to collect, not textile work (Swedish compounds only)
        "equipment",
        "materials",
        "material",
        "machines",
        "machinery",
        "vehicles",
        "vehicle",
        "products",
        "consumables",
        "supplies",
        "appliances",
        "tools",
        "software",
        "system",
        "systems",
    ]
)
HEADS_NOT_WORK: frozenset[str] = STAFF_AND_BODIES | GOODS
# Branch terms that name the work in a title only: in a description they mostly state what the
# contractor must offer ("... erbjuda arbetsträning"), which is the social clause, not the work bought.
TITLE_ONLY_TERMS: frozenset[str] = frozenset(
    [
        "arbetsträning",
        "arbetsrehabilitering",
        "yrkesrehabilitering",
        "arbetsbefrämjande",
        "arbetsförberedande",
        "vocational rehabilitation",
        "supported employment",
        "work rehabilitation",
    ]
)

# After one branch word, a title that goes on with one of these words names whom or where the work
# is for ("Tvätteritjänster för kommunens äldreboenden", "Laundry services for care homes"): branch
# words from there on are context, scored settings.SCORE_RULE_CONTEXT, not the subject.
CONTEXT_WORDS: frozenset[str] = frozenset(
    ["för", "till", "inom", "på", "vid", "i", "hos", "åt", "for", "to", "at", "in", "within", "across"]
)
# "av"/"of" after a title's subject introduce what the work is done to or on: when the subject is
# branch work or a thing (goods, staff, building works), branch words from there on are context
# ("Städning av äldreboenden", "Construction of a 60-bed care home"). After other work they name the
# work itself ("Skötsel av grönytor", "Collection of waste"), so there they start no context.
OBJECT_WORDS: frozenset[str] = frozenset(["av", "of"])
# Building works: a title led by one is about the building, not what is done in it.
BUILDING_WORKS: frozenset[str] = frozenset(
    [
        "byggnation", "nybyggnad", "nybyggnation", "ombyggnad", "tillbyggnad", "rivning", "projektering",
        "byggentreprenad", "totalentreprenad", "construction", "building", "refurbishment", "extension",
        "conversion", "demolition", "design", "redevelopment",
    ]
)
# Words that lead a title without naming the work ("Ramavtal för lokalvård", "Provision of services
# for care homes"): a context word after them does not follow a subject. Swedish compounds ending in
# one of them count too ("ramavtalsupphandling", "tjänstekoncession").
LEAD_WORDS: frozenset[str] = frozenset(
    [
        # Swedish
        "upphandling", "direktupphandling", "ramavtal", "avtal", "avrop", "kontrakt", "koncession",
        "tjänst", "tjänster", "köp", "inköp", "förfrågan", "anbudsförfrågan", "annonsering",
        "efterannonsering", "förhandsinformation", "tilldelning", "tilldelningsbeslut", "leverans",
        "utförande", "drift", "insatser", "stöd", "hjälp", "platser", "placeringar", "verksamhet",
        "avseende", "gällande", "angående", "ny", "nytt", "nya", "dynamiskt", "inköpssystem", "system",
        "och", "av", "om", "med", "samt", "den", "det", "de", "en", "ett",
        # English
        "provision", "procurement", "framework", "agreement", "contract", "contracts", "concession",
        "service", "services", "supply", "purchase", "purchasing", "tender", "tenders", "invitation",
        "call", "competition", "request", "quotation", "quotations", "prior", "information", "notice",
        "award", "delivery", "operation", "support", "help", "assistance", "placements", "places",
        "beds", "dps", "dynamic", "system", "new", "lot", "lots", "rfq", "itt", "the", "a", "an",
        "and", "of", "on", "with", "regarding",
    ]
)
_LONG_LEAD_WORDS: tuple[str, ...] = tuple(lead for lead in LEAD_WORDS if len(lead) > 5)


def is_lead_word(word: str) -> bool:
    """Tell whether a lower-cased word leads a title without naming the work ("ramavtal", "services")."""
    return word in LEAD_WORDS or word.endswith(_LONG_LEAD_WORDS)

# Social-clause wording: code -> language -> ((phrase, score), ...). Scores: 0.95 legal wording of the
# clause itself, 0.8 its everyday name, 0.6 words that often but not always mean it.
SOCIAL_TERMS: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    "reserved_sheltered": {
        "sv": (
            ("4 kap. 18 § lou", 0.95),
            ("4 kap. 18 §", 0.95),
            ("4 kap 18 §", 0.95),
            ("4 kap. 18§", 0.95),
            ("4 kap 18§", 0.95),
            ("4 kapitlet 18 §", 0.95),
            ("reserverat kontrakt", 0.95),
            ("reserverad upphandling", 0.95),
            ("reserverat avtal", 0.9),
            ("skyddad verkstad", 0.95),
            ("skyddade verkstäder", 0.95),
            ("skyddad anställning", 0.9),
            ("skyddade anställningsprogram", 0.95),
            ("skyddat anställningsprogram", 0.95),
            ("social och yrkesmässig integration", 0.95),
            ("arbetsintegrerande sociala företag", 0.6),
            ("arbetsintegrerande socialt företag", 0.6),
        ),
        "en": (
            ("article 20 of directive 2014/24/eu", 0.95),
            ("article 20 of the directive 2014/24/eu", 0.95),
            ("article 20 of directive 2014/24", 0.95),
            ("article 20 of the public contracts directive", 0.95),
            ("regulation 20 of the public contracts regulations", 0.95),
            ("regulation 20 of the pcr", 0.95),
            ("reserved contract", 0.95),
            ("reserved contracts", 0.95),
            ("sheltered workshop", 0.95),
            ("sheltered workshops", 0.95),
            ("sheltered employment programme", 0.95),
            ("sheltered employment programmes", 0.95),
            ("sheltered employment program", 0.95),
            ("supported business", 0.9),
            ("supported businesses", 0.9),
            ("supported factories", 0.9),
            ("social and professional integration", 0.95),
            ("work integration social enterprise", 0.6),
            ("work integration social enterprises", 0.6),
        ),
    },
    "reserved_public_service": {
        "sv": (("organisationer med offentligt uppdrag", 0.9),),
        "en": (
            ("public service mission", 0.9),
            ("article 77 of directive 2014/24/eu", 0.9),
            ("regulation 77 of the public contracts regulations", 0.9),
        ),
    },
    "employment_requirement": {
        "sv": (
            ("sysselsättningskrav", 0.95),
            ("arbetsmarknadskrav", 0.95),
            ("sysselsättningsmöjlighet", 0.8),
            ("långt från arbetsmarknaden", 0.9),
            ("långtidsarbetslös", 0.8),
            ("praktikplats", 0.7),
            ("lärlingsplats", 0.7),
            ("arbetsmarknadsinsats", 0.6),
        ),
        "en": (
            ("long-term unemployed", 0.8),
            ("long term unemployed", 0.8),
            ("employment opportunities", 0.7),
            ("work placements", 0.7),
            ("furthest from the labour market", 0.9),
            ("distant from the labour market", 0.9),
            ("targeted recruitment and training", 0.9),
            ("employment requirement", 0.9),
            ("employment requirements", 0.9),
        ),
    },
    "social_considerations": {
        "sv": (
            ("sociala hänsyn", 0.8),
            ("social hänsyn", 0.8),
            ("socialt hänsynstagande", 0.8),
            ("social hållbarhet", 0.7),
            ("socialt ansvarstagande", 0.7),
            ("arbetsrättsliga villkor", 0.9),
            ("särskilda arbetsrättsliga villkor", 0.9),
            ("mänskliga rättigheter", 0.7),
            ("ilo:s kärnkonventioner", 0.8),
            ("rättvisa arbetsvillkor", 0.8),
            ("schyssta villkor", 0.8),
            ("jämställdhet", 0.6),
            ("tillgänglighet för alla", 0.7),
            ("kollektivavtal", 0.6),
        ),
        "en": (
            ("social value", 0.7),
            ("social considerations", 0.8),
            ("social clause", 0.8),
            ("social clauses", 0.8),
            ("fair working conditions", 0.8),
            ("human rights", 0.7),
            ("modern slavery", 0.7),
            ("living wage", 0.7),
            ("ethical trading", 0.7),
            ("ilo core conventions", 0.8),
            ("community benefits", 0.7),
            ("community benefit", 0.7),
            ("accessibility for all", 0.7),
            ("gender equality", 0.6),
            ("social objectives", 0.7),
        ),
    },
}

# Words that, just before a clause ("inte reserverat", "not reserved") or just after it
# ("Reserved contracts: No"), say the opposite.
NEGATIONS_BEFORE: frozenset[str] = frozenset({"inte", "ej", "icke", "not", "no", "non", "without", "utan"})
NEGATIONS_AFTER: frozenset[str] = frozenset({"no", "nej", "none", "ingen", "inga"})

# "Förbehållet"/"reserverat" and, later in the same sentence, one of these is a Swedish reservation
# clause ("Kontraktet är förbehållet skyddade verkstäder ...").
RESERVATION_TRIGGER = r"\b(?:förbehåll|reserver)\w*"
RESERVATION_CONTEXT = (
    r"funktionsnedsättning|missgynnad|verkstad|verkstäder|arbetsintegrerande|yrkesmässig integration"
    r"|skyddad|skyddade"
)


def trigger_pattern() -> str:
    """Return a regex that finds every social-clause phrase roughly (first letters of each word).

    Where a description is cut (settings.MAX_FIELD_CHARS), windows around its matches are still
    analysed, so no clause is missed in a long text while little else is read.
    """
    alternatives = {RESERVATION_TRIGGER + r"[^.!?;]{0,160}?(?:" + RESERVATION_CONTEXT + ")"}
    for by_lang in SOCIAL_TERMS.values():
        for phrases in by_lang.values():
            for phrase, _ in phrases:
                words = phrase.lower().split()
                if len(words) == 1:
                    alternatives.add(re.escape(words[0][: max(5, len(words[0]) - 2)]))
                else:
                    alternatives.add(r"\W*".join(re.escape(word[:5]) + r"\w*" for word in words))
    return "|".join(sorted(alternatives))


# The plain keyword alert that `anbudsradar evaluate` compares against: a few words per branch, as
# tender-alert services offer, matched at the start of a word anywhere in title and description.
BASELINE_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "cleaning": {"sv": ("städ", "lokalvård"), "en": ("cleaning",)},
    "catering": {
        "sv": ("catering", "måltid", "restaurang", "kök"),
        "en": ("catering", "meals", "restaurant"),
    },
    "retail": {"sv": ("butik", "detaljhandel"), "en": ("retail", "shop")},
    "care": {"sv": ("omsorg", "hemtjänst", "boende"), "en": ("care", "social work")},
    "laundry": {"sv": ("tvätt",), "en": ("laundry",)},
    "grounds": {"sv": ("grönyt", "trädgård", "park"), "en": ("grounds maintenance", "gardening", "landscap")},
    "snow_streets": {
        "sv": ("snöröjning", "halkbekämpning", "gaturenhållning"),
        "en": ("snow", "gritting", "street cleaning"),
    },
    "textiles": {"sv": ("textil", "sömnad", "kläder"), "en": ("textile", "clothing", "sewing")},
    "printing": {"sv": ("tryck",), "en": ("printing",)},
    "removals_courier": {"sv": ("flytt", "bud"), "en": ("removal", "courier")},
    "recycling": {"sv": ("återvinning", "återbruk", "avfall"), "en": ("recycling", "waste")},
    "carpentry": {"sv": ("snickeri", "möbel"), "en": ("carpentry", "joinery", "furniture")},
    "property_care": {
        "sv": ("fastighetsskötsel", "vaktmästeri", "fastighetsservice"),
        "en": ("facilities management", "caretaking", "maintenance"),
    },
    "packaging_mailing": {"sv": ("paketering", "utskick", "montering"), "en": ("packaging", "mailing")},
    "it_refurbishing": {
        "sv": ("datorreparation", "it-utrustning"),
        "en": ("computer repair", "it equipment"),
    },
    "vehicle_care": {"sv": ("biltvätt", "fordonstvätt"), "en": ("car wash", "vehicle cleaning")},
}
