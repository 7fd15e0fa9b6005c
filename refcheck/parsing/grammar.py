"""Named regular-expression fragments for citations, in the manner of h11's ``_abnf.py``.

Each fragment is a plain string, so fragments compose by f-string; :mod:`refcheck.parsing.citation`
compiles the patterns it needs once, at import. Each fragment shows, in a comment, a real
citation (from the seed manuscript or the Crossref corpus) that it matches.

Fragments must stay linear-time on any input: every repetition is either bounded or stops at a
delimiter that the repeated part cannot match, so no fragment can backtrack catastrophically.
Fragments define no capture groups unless their name says so (``*_GROUP``); the parser adds
named groups where it needs them.
"""

from __future__ import annotations

__all__ = [
    "ACL_ID",
    "APA_GIVEN",
    "ARXIV",
    "CAP_WORD",
    "DASH",
    "DOI",
    "ET_AL",
    "FAMILY",
    "FWD_PERSON",
    "GIVEN_NAME",
    "INITIAL",
    "INV_PERSON",
    "LIST_SEP",
    "MLA_FIRST",
    "MONTH",
    "NAME",
    "PARTICLE",
    "PERSON_END",
    "PMID",
    "URL",
    "VANCOUVER_FAMILY",
    "VANCOUVER_INITIALS",
    "VAN_PERSON",
    "YEAR",
]

# A dash as printed between page numbers, after cleanup has turned U+2010/U+2011/U+2212
# into "-": "e358–67", "206-09", "1503—16".
DASH = r"[-–—]"

# A four-digit year from 1500 to 2099: "2020" in "*Lancet Rheumatol* 2020; **2**: e358–67."
YEAR = r"(?:1[5-9]|20)\d\d"

# An English month, full or abbreviated, with an optional period:
# "Jun" in "Lancet Rheumatol. 2020 Jun;2(6):e358-e367.", "June" in "published online June 16".
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)


# One word of a personal name, letters of any script joined by apostrophes or hyphens:
# "Koné-Paut", "O'Gorman", "Giamarellos-Bourboulis", "de".
NAME = r"[^\W\d_]+(?:['-][^\W\d_]+){0,4}"

# A Vancouver surname, with particles, up to four words: "Mehta", "de Jesus", "von Stebut",
# "Le Pavec", "Brito-Zerón" in "Ramos-Casals M, Brito-Zerón P, López-Guillermo A, ...".
VANCOUVER_FAMILY = rf"{NAME}(?:\s{NAME}){{0,3}}"

# Vancouver initials, capitals (Latin, Cyrillic, Greek) without periods, an optional hyphen:
# "RQ", "P", "J-P", "ИИ" in "Иванов ИИ, Петров ПП.".
VANCOUVER_INITIALS = r"[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω](?:-?[A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω]){0,3}"


# APA/Harvard given names as initials with periods: "R. Q." in "Cron, R. Q., & Hartwell, J.",
# "P.J." in "Dendek, P.J., Fedoryszak, M.", "J.-P." in "Rivière, J.-P.".
APA_GIVEN = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zа-я]{0,2}\.(?:\s?-?\s?[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zа-я]{0,2}\.){0,4}"


# A DOI with its optional prefix: "doi:10.1016/S2665-9913(20)30096-5",
# "https://doi.org/10.1016/S2213-2600(20)30267-8". PDF-to-text puts spaces into the prefix
# ("doi:10 .1145/1601966", "doi :10.1103 /PhysRevE.49.55", "doi: 10.1097/ SHK.000"): one space
# is allowed on either side of its "." and "/" when the "10" follows no digit or period (the
# parser takes the spaces out). Trailing punctuation, unbalanced closing brackets and spaces
# inside the suffix are handled by the parser, not here.
DOI = (
    r"(?:(?:https?://)?(?:dx\.)?doi\.org/|\bdoi\s?[:.]?\s?)?"
    r"(?P<doi>(?:10\.\d{4,9}/|(?<![\d.])10\s?\.\s?\d{4,9}\s?/\s?)[^\s\"<>]{1,300})"
)

# The archives of arXiv's identifiers before April 2007, which name the subject area:
# "hep-th" in "hep-th/9901001", "cond-mat" in "cond-mat.str-el/0601001".
ARXIV_ARCHIVE = (
    r"(?:astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nlin|nucl-ex|nucl-th"
    r"|physics|quant-ph|math|cs|q-bio|q-fin|stat|acc-phys|adap-org|alg-geom|ao-sci|atom-ph"
    r"|bayes-an|chao-dyn|chem-ph|cmp-lg|comp-gas|dg-ga|funct-an|mtrl-th|patt-sol|plasm-ph"
    r"|q-alg|solv-int|supr-con)"
)

# An arXiv identifier in any of its printed forms, the identifier in the group ``arxiv``:
# "arXiv:1706.03762v5", "arXiv preprint arXiv:1706.03762", "arXiv 1706.03762",
# "CoRR abs/1706.03762", "CoRR, vol. abs/1706.03762", "https://arxiv.org/abs/1706.03762",
# "arxiv.org/pdf/1706.03762v2.pdf", "10.48550/arXiv.1706.03762", "arXiv:hep-th/9901001",
# and an old identifier on its own: "hep-th/9901001", "math.AG/0601001" (the archive names
# it). New identifiers (April 2007 on) are "YYMM.NNNN" (five digits from 2015), versions "v5".
ARXIV_NUMBER = r"(?:\d{4}\.\d{4,5}(?:v\d{1,3})?(?!\d|\.\d))"
ARXIV_OLD_NUMBER = rf"(?:{ARXIV_ARCHIVE}(?:\.[A-Za-z-]{{2,10}})?/\d{{7}}(?:v\d{{1,3}})?)"
ARXIV = (
    r"(?:(?:\barXiv(?:\s?preprint)?(?:\s?:\s?|\s|\.)(?:arXiv\s?:\s?)?"
    r"|\bCoRR[,\s]{1,3}(?:vol\.?\s?)?abs/|\babs/|arxiv\.org/(?:abs|pdf)/|\b10\.48550/arXiv\.)"
    rf"(?P<arxiv>{ARXIV_NUMBER}|{ARXIV_OLD_NUMBER})"
    rf"|(?<![\w/.-])(?P<arxiv_old>{ARXIV_OLD_NUMBER})(?!\d))"
)

# An ACL Anthology identifier in its address or DOI, in the group ``acl``: "P19-1001" in
# "https://www.aclweb.org/anthology/P19-1001" or "10.18653/v1/P19-1001", "2020.acl-main.1" in
# "https://aclanthology.org/2020.acl-main.1".
ACL_ID = (
    r"(?:aclanthology\.org/|aclweb\.org/anthology/|\b10\.18653/v1/)"
    r"(?P<acl>[A-Z]\d{2}-\d{4}|\d{4}\.[a-z][a-z0-9-]{1,40}\.\d{1,4})(?![\w-])"
)

# A web address: "http://www.ncbi.nlm.nih.gov/pubmed" in "PubMed. http://www.ncbi.nlm.nih.gov/pubmed".
URL = r"(?P<url>(?:https?|ftp)://[^\s\"<>]{1,2000}|\bwww\.[^\s\"<>]{1,2000})"

# A PubMed identifier: "PMID: 32838266" in "... 2020;2(6):e358-e367. PMID: 32838266."
PMID = r"\bPMID\s?:?\s?(?P<pmid>\d{1,9})\b"

# One word of a family name, starting with a capital of any cased script: "Collman",
# "COLLMAN", "O'Gorman", "Koné-Paut", "McEuen". Journal abbreviations that follow an author
# list without a title ("G. Kramer and B. Lampe, Z. Phys. C34, 497") are not family names.
CAP_WORD = (
    r"(?!(?:Phys|Rev|Lett|Chem|Soc|Am|Nucl|Math|Biol|Med|Sci|Acad|Proc|Natl|Res|Mol|Astrophys"
    r"|Appl|Opt|Commun|Comput|Eng|Mech|Ann|Int|Trans|Theor|Exp|Clin|Mater|Nat|Nature|Science"
    r"|Cell|Tetrahedron|Synthesis|Ibid|In|The|Vol)\b)"
    r"[A-ZÀ-ÖØ-ÞΑ-ΩА-Я](?:[^\W\d_]{1,40}(?:['’-][^\W\d_]{1,40}){0,3}|['’][A-Z][^\W\d_]{1,40})"
)

# Particles before a family name: "van" in "D. H. van Hessem", "de la" in "de la Macorra JC".
PARTICLE = r"(?:(?:van|von|de|der|den|del|della|di|da|du|dos|das|le|la|ten|ter|zu|bin|al|el)\s)"

# A family name with its particles: "van Hessem", "de la Macorra", "Perl-Mutter".
FAMILY = rf"{PARTICLE}{{0,3}}{CAP_WORD}"

# A given name spelt out: "Calvin", "Heinz-Otto", "Ce".
GIVEN_NAME = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zß-öø-ÿа-яё]{1,20}(?:-[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zß-öø-ÿа-яё]{1,20})?"

# One initial with its period, possibly hyphenated or doubled: "J.", "Ch.", "YA." (in "V. YA.
# SHTERN."), "J.-P.", "M.-S.".
INITIAL = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zA-Zа-я]?\.(?:-[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zа-я]?\.)?"

# Between two authors: ", ", "; ", " and ", ", and ", " & ", " et " (French), " und ".
LIST_SEP = r"(?:\s?[,;]{1,2}\s?(?:and\s|&\s?)?|\s(?:and|&|et|und|y|e)\s)"

# What ends an author list that the printer cut short: ", et al.", " and others", " et coll.".
ET_AL = r",?\s?(?:et\.?\s?al\b\.?|and\sothers\b|et\scoll?\b\.?|…|\.\.\.)"

# An author with given names or initials first: "J. P. Collman", "Robin C. Williamson",
# "ChaolinLi" glued by PDF-to-text, but not "Buci-Glucksmann" nor "McGuinness" (one surname),
# "D. H. van Hessem" in "[58] D. H. van Hessem, C. W. Scherer, and O. H. Bosgra, “LMI-based..."
FWD_PERSON = (
    rf"(?:{GIVEN_NAME}(?:\s|-\s|(?<!Mc)(?<!Mac)(?=[A-Z]))|{INITIAL}[\s-]?){{1,3}}\s?{FAMILY}"
    rf"(?:,?\s(?:Jr|Sr|III|II)\.?)?"
)

# An inverted author with initials: "Cron, R. Q.", "Pettingill, O. S., Jr." in
# "Pettingill, O. S., Jr. (1980). Falcon and Falconry."
INV_PERSON = rf"{FAMILY}(?:\s{FAMILY})?,\s?{APA_GIVEN}(?:,?\s(?:Jr|Sr)\.)?"

# A Vancouver author, initials with or without periods: "Karalliedde L", "Kempner J.C.".
VAN_PERSON = rf"{VANCOUVER_FAMILY}\s(?:{APA_GIVEN}|{VANCOUVER_INITIALS})"

# The first author of an MLA or Chicago list, inverted with given names: "Trillin, Calvin".
MLA_FIRST = (
    rf"{FAMILY},\s(?:{APA_GIVEN}|(?:{GIVEN_NAME}|{INITIAL})(?:\s(?:{GIVEN_NAME}|{INITIAL})){{0,3}})"
)

# What may follow an author in a list: a separator, punctuation, a year, the end; anything
# after an initial's period ("Warlimont, R. Distinct degree factorizations ...").
PERSON_END = r"(?:(?<=\.)|(?=\s?[,;:(\"“.]|\s(?:and|&|et|und)\s|\s\d|\s?$))"
