"""The table of ``(citation, expected Reference)`` pairs that the parser tests read.

Importable, so that other tests (the BibTeX round trip) can reuse it. Groups A, B and C are the
three reference lists of the seed manuscript
(``shared/seed/lancet-rheumatol-2020-anakinra-correspondence.md``), verbatim; the other groups
are the same works printed in other styles (NLM, AMA, APA, Harvard, IEEE) and edge cases of
markup, names, pages and identifiers. Expected values are written out by hand, not generated.
"""

from __future__ import annotations

from refcheck.model import Author, Reference

__all__ = ["ALL", "EDGES", "SEED", "STYLES", "TITLES", "WIDE"]

_ARTICLE = "journal-article"


def _vancouver(*names: str) -> tuple[Author, ...]:
    """Authors as Vancouver prints them: "de Jesus AA" -> Author("de Jesus", "AA")."""
    return tuple(Author(*name.rsplit(" ", 1)) for name in names)


def _ref(text: str, **fields: object) -> tuple[str, Reference]:
    return text, Reference(text=text, **fields)  # type: ignore[arg-type]


_SILENCING = (
    "Silencing the cytokine storm: the use of intravenous anakinra in haemophagocytic "
    "lymphohistiocytosis or macrophage activation syndrome"
)
_MEHTA_2020 = _vancouver("Mehta P", "Cron RQ", "Hartwell J", "Manson JJ", "Tattersall RS")
_BLOCKADE = (
    "Therapeutic blockade of granulocyte macrophage colony-stimulating factor (GM-CSF) in "
    "COVID-19-associated hyperinflammation: opportunities and challenges"
)

SEED: tuple[tuple[str, Reference], ...] = (
    # A1: "Cron R", not "Cron RQ", as printed in the first letter.
    _ref(
        "Mehta P, Cron R, Hartwell J, Manson JJ, Tattersall RS. " + _SILENCING + ". "
        "*Lancet Rheumatol* 2020; **2**: e358–67.",
        authors=_vancouver("Mehta P", "Cron R", "Hartwell J", "Manson JJ", "Tattersall RS"),
        title=_SILENCING,
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e358–67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    _ref(
        "Carter SJ, Tattersall RS, Ramanan AV. Macrophage activation syndrome in adults: recent "
        "advances in pathophysiology, diagnosis and treatment. *Rheumatology (Oxford)* 2019; "
        "**58**: 5–17.",
        authors=_vancouver("Carter SJ", "Tattersall RS", "Ramanan AV"),
        title="Macrophage activation syndrome in adults: recent advances in pathophysiology, "
        "diagnosis and treatment",
        container_title="Rheumatology (Oxford)",
        year="2019",
        volume="58",
        pages="5–17",
        first_page="5",
        last_page="17",
        kind=_ARTICLE,
    ),
    _ref(
        "Canna SW, de Jesus AA, Gouni S, et al. An activating NLR4 inflammasome mutation causes "
        "autoinflammation with recurrent macrophage activation syndrome. *Nat Genet* 2014; "
        "**46**: 1140–46.",
        authors=_vancouver("Canna SW", "de Jesus AA", "Gouni S"),
        et_al=True,
        title="An activating NLR4 inflammasome mutation causes autoinflammation with recurrent "
        "macrophage activation syndrome",
        container_title="Nat Genet",
        year="2014",
        volume="46",
        pages="1140–46",
        first_page="1140",
        last_page="1146",
        kind=_ARTICLE,
    ),
    _ref(
        "Dholaria BR, Bachmeier C, Locke F. Mechanisms and management of chimeric antigen "
        "receptor T-cell therapy related toxicities. *BioDrugs Clin Immunother Biopharm Gene "
        "Ther* 2019; **33**: 45–60.",
        authors=_vancouver("Dholaria BR", "Bachmeier C", "Locke F"),
        title="Mechanisms and management of chimeric antigen receptor T-cell therapy related "
        "toxicities",
        container_title="BioDrugs Clin Immunother Biopharm Gene Ther",
        year="2019",
        volume="33",
        pages="45–60",
        first_page="45",
        last_page="60",
        kind=_ARTICLE,
    ),
    _ref(
        "Giamarellos-Bourboulis EJ, Netea MG, Rovina N, et al. Complex immune dysregulation in "
        "COVID-19 patients with severe respiratory failure. *Cell Host Microbe* 2020; **27**: "
        "992–1000.",
        authors=_vancouver("Giamarellos-Bourboulis EJ", "Netea MG", "Rovina N"),
        et_al=True,
        title="Complex immune dysregulation in COVID-19 patients with severe respiratory failure",
        container_title="Cell Host Microbe",
        year="2020",
        volume="27",
        pages="992–1000",
        first_page="992",
        last_page="1000",
        kind=_ARTICLE,
    ),
    # B1
    _ref(
        "Mehta P, Cron RQ, Hartwell J, Manson JJ, Tattersall RS. " + _SILENCING + ". "
        "*Lancet Rheumatol* 2020; **2**: e358–67.",
        authors=_MEHTA_2020,
        title=_SILENCING,
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e358–67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    _ref(
        "Ramos-Casals M, Brito-Zerón P, López-Guillermo A, Khamashta MA, Bosch X. Adult "
        "haemophagocytic syndrome. *Lancet* 2014; **383**: 1503–16.",
        authors=_vancouver(
            "Ramos-Casals M", "Brito-Zerón P", "López-Guillermo A", "Khamashta MA", "Bosch X"
        ),
        title="Adult haemophagocytic syndrome",
        container_title="Lancet",
        year="2014",
        volume="383",
        pages="1503–16",
        first_page="1503",
        last_page="1516",
        kind=_ARTICLE,
    ),
    # B3: LaTeX "IL-1 $\beta$", an italic species name inside the title, an article number.
    _ref(
        "Chaves MM, Sinforio DA, Thorstenberg ML, et al. Non-canonical NLRP3 inflammasome "
        "activation and IL-1 $\\beta$  signaling are necessary to *L. amazonensis* control "
        "mediated by P2X7 receptor and leukotriene B4. *PLoS Pathog* 2019; **15**: e1007887.",
        authors=_vancouver("Chaves MM", "Sinforio DA", "Thorstenberg ML"),
        et_al=True,
        title="Non-canonical NLRP3 inflammasome activation and IL-1β signaling are necessary "
        "to L. amazonensis control mediated by P2X7 receptor and leukotriene B4",
        container_title="PLoS Pathog",
        year="2019",
        volume="15",
        pages="e1007887",
        first_page="e1007887",
        kind=_ARTICLE,
    ),
    _ref(
        "Kautz-Neu K, Kostka SL, Dinges S, Iwakura Y, Udey MC, von Stebut E. A role for "
        "leukocyte-derived IL-1RA in DC homeostasis revealed by increased susceptibility of "
        "IL-1RA-deficient mice to cutaneous leishmaniasis. *J Invest Dermatol* 2011; **131**: "
        "1650–59.",
        authors=_vancouver(
            "Kautz-Neu K", "Kostka SL", "Dinges S", "Iwakura Y", "Udey MC", "von Stebut E"
        ),
        title="A role for leukocyte-derived IL-1RA in DC homeostasis revealed by increased "
        "susceptibility of IL-1RA-deficient mice to cutaneous leishmaniasis",
        container_title="J Invest Dermatol",
        year="2011",
        volume="131",
        pages="1650–59",
        first_page="1650",
        last_page="1659",
        kind=_ARTICLE,
    ),
    _ref(
        "Koné-Paut I, Retornaz K, Garnier JM, Bader-Meunier B. Visceral leishmaniasis in a "
        "patient with systemic juvenile arthritis treated by IL-1RA agonist (anakinra). *Clin "
        "Exp Rheumatol* 2007; **25**: 119.",
        authors=_vancouver("Koné-Paut I", "Retornaz K", "Garnier JM", "Bader-Meunier B"),
        title="Visceral leishmaniasis in a patient with systemic juvenile arthritis treated by "
        "IL-1RA agonist (anakinra)",
        container_title="Clin Exp Rheumatol",
        year="2007",
        volume="25",
        pages="119",
        first_page="119",
        kind=_ARTICLE,
    ),
    # C1: the volume is not bold in the authors' reply.
    _ref(
        "Mehta P, Cron RQ, Hartwell J, Manson JJ, Tattersall RS. " + _SILENCING + ". "
        "*Lancet Rheumatol* 2020; 2: e358–67.",
        authors=_MEHTA_2020,
        title=_SILENCING,
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e358–67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    _ref(
        'Nikiforow S, Berliner N. To "lump" or to "split" in macrophage activation syndrome and '
        "hemophagocytic lymphohistiocytosis. *Arthritis Rheumatol* 2020; 72: 206–09.",
        authors=_vancouver("Nikiforow S", "Berliner N"),
        title='To "lump" or to "split" in macrophage activation syndrome and hemophagocytic '
        "lymphohistiocytosis",
        container_title="Arthritis Rheumatol",
        year="2020",
        volume="72",
        pages="206–09",
        first_page="206",
        last_page="209",
        kind=_ARTICLE,
    ),
    # C3: online first, no volume or pages, the DOI as an escaped Markdown link.
    _ref(
        "Mehta P, Porter JC, Manson JJ, et al. " + _BLOCKADE + ". *Lancet Respir Med* 2020; "
        "published online June 16. [https://doi.org/10.1016/S2213-2600\\(20\\)30267-8]"
        "(https://doi.org/10.1016/S2213-2600(20)30267-8).",
        authors=_vancouver("Mehta P", "Porter JC", "Manson JJ"),
        et_al=True,
        title=_BLOCKADE,
        container_title="Lancet Respir Med",
        year="2020",
        doi="10.1016/S2213-2600(20)30267-8",
        published_online="2020-06-16",
        kind=_ARTICLE,
    ),
    _ref(
        "Huet T, Beaussier H, Voisin O, et al. Anakinra for severe forms of COVID-19: a cohort "
        "study. *Lancet Rheumatol* 2020; 2: e393–400.",
        authors=_vancouver("Huet T", "Beaussier H", "Voisin O"),
        et_al=True,
        title="Anakinra for severe forms of COVID-19: a cohort study",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e393–400",
        first_page="e393",
        last_page="e400",
        kind=_ARTICLE,
    ),
    _ref(
        "Cavalli G, De Luca G, Campochiaro C, et al. Interleukin-1 blockade with high-dose "
        "anakinra in patients with COVID-19, acute respiratory distress syndrome, and "
        "hyperinflammation: a retrospective cohort study. *Lancet Rheumatol* 2020; 2: e325–31.",
        authors=_vancouver("Cavalli G", "De Luca G", "Campochiaro C"),
        et_al=True,
        title="Interleukin-1 blockade with high-dose anakinra in patients with COVID-19, acute "
        "respiratory distress syndrome, and hyperinflammation: a retrospective cohort study",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e325–31",
        first_page="e325",
        last_page="e331",
        kind=_ARTICLE,
    ),
)

_A1_DOI = "10.1016/S2665-9913(20)30096-5"

STYLES: tuple[tuple[str, Reference], ...] = (
    # NLM, as PubMed prints it.
    _ref(
        "Mehta P, Cron RQ, Hartwell J, Manson JJ, Tattersall RS. " + _SILENCING + ". Lancet "
        "Rheumatol. 2020 Jun;2(6):e358-e367. doi: " + _A1_DOI + ". Epub 2020 May 4. "
        "PMID: 32373790; PMCID: PMC7198216.",
        authors=_MEHTA_2020,
        title=_SILENCING,
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="6",
        pages="e358-e367",
        first_page="e358",
        last_page="e367",
        doi=_A1_DOI,
        pmid="32373790",
        published_online="2020-05-04",
        kind=_ARTICLE,
    ),
    # AMA.
    _ref(
        "Mehta P, Cron RQ, Hartwell J, Manson JJ, Tattersall RS. " + _SILENCING + ". Lancet "
        "Rheumatol. 2020;2(6):e358-e367. doi:" + _A1_DOI,
        authors=_MEHTA_2020,
        title=_SILENCING,
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="6",
        pages="e358-e367",
        first_page="e358",
        last_page="e367",
        doi=_A1_DOI,
        kind=_ARTICLE,
    ),
    # Vancouver with the issue and a short range.
    _ref(
        "Mehta P, Cron RQ, Hartwell J, Manson JJ, Tattersall RS. " + _SILENCING + ". Lancet "
        "Rheumatol 2020;2(6):e358-67.",
        authors=_MEHTA_2020,
        title=_SILENCING,
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="6",
        pages="e358-67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # APA 7.
    _ref(
        "Mehta, P., Cron, R. Q., Hartwell, J., Manson, J. J., & Tattersall, R. S. (2020). "
        + _SILENCING
        + ". *The Lancet Rheumatology*, *2*(6), e358–e367. "
        "https://doi.org/" + _A1_DOI,
        authors=(
            Author("Mehta", "P."),
            Author("Cron", "R. Q."),
            Author("Hartwell", "J."),
            Author("Manson", "J. J."),
            Author("Tattersall", "R. S."),
        ),
        title=_SILENCING,
        container_title="The Lancet Rheumatology",
        year="2020",
        volume="2",
        issue="6",
        pages="e358–e367",
        first_page="e358",
        last_page="e367",
        doi=_A1_DOI,
        kind=_ARTICLE,
    ),
    # Harvard.
    _ref(
        "Mehta, P. and Cron, R.Q. (2020) Silencing the cytokine storm. Lancet Rheumatology, "
        "2(6), pp. e358-e367.",
        authors=(Author("Mehta", "P."), Author("Cron", "R.Q.")),
        title="Silencing the cytokine storm",
        container_title="Lancet Rheumatology",
        year="2020",
        volume="2",
        issue="6",
        pages="e358-e367",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # IEEE.
    _ref(
        'P. Mehta, R. Q. Cron, and J. Hartwell, "Silencing the cytokine storm," Lancet '
        "Rheumatol., vol. 2, no. 6, pp. e358–e367, 2020.",
        authors=(Author("Mehta", "P."), Author("Cron", "R. Q."), Author("Hartwell", "J.")),
        title="Silencing the cytokine storm",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="6",
        pages="e358–e367",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # IEEE with "et al." and curly quotes.
    _ref(
        "G. Cavalli et al., “Interleukin-1 blockade with high-dose anakinra,” Lancet "
        "Rheumatol., vol. 2, no. 6, pp. e325–e331, Jun. 2020.",
        authors=(Author("Cavalli", "G."),),
        et_al=True,
        title="Interleukin-1 blockade with high-dose anakinra",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="6",
        pages="e325–e331",
        first_page="e325",
        last_page="e331",
        kind=_ARTICLE,
    ),
    # Springer basic (author-year, Vancouver names), as deposited with Crossref.
    _ref(
        "Hilgenfeld R, Peiris M (2013) From SARS to MERS: 10 years of research on highly "
        "pathogenic human coronaviruses. Antivir Res 100(1):286–295",
        authors=_vancouver("Hilgenfeld R", "Peiris M"),
        title="From SARS to MERS: 10 years of research on highly pathogenic human coronaviruses",
        container_title="Antivir Res",
        year="2013",
        volume="100",
        issue="1",
        pages="286–295",
        first_page="286",
        last_page="295",
        kind=_ARTICLE,
    ),
    # Springer LNCS, as deposited with Crossref.
    _ref(
        "Kovacevic, A., Ivanovic, D., Surla, D.: Automatic extraction of metadata from "
        "scientific publications for CRIS systems. Program 45(4), 376–396 (2011)",
        authors=(Author("Kovacevic", "A."), Author("Ivanovic", "D."), Author("Surla", "D.")),
        title="Automatic extraction of metadata from scientific publications for CRIS systems",
        container_title="Program",
        year="2011",
        volume="45",
        issue="4",
        pages="376–396",
        first_page="376",
        last_page="396",
        kind=_ARTICLE,
    ),
)

EDGES: tuple[tuple[str, Reference], ...] = (
    # A Cell Press supplement page range, and a "[3]" list label.
    _ref(
        "[3] Giamarellos-Bourboulis EJ, Netea MG, Rovina N, et al. Complex immune dysregulation "
        "in COVID-19 patients with severe respiratory failure. *Cell Host Microbe* 2020; "
        "**27**: 992–1000.e3.",
        authors=_vancouver("Giamarellos-Bourboulis EJ", "Netea MG", "Rovina N"),
        et_al=True,
        title="Complex immune dysregulation in COVID-19 patients with severe respiratory failure",
        container_title="Cell Host Microbe",
        year="2020",
        volume="27",
        pages="992–1000.e3",
        first_page="992",
        last_page="1000.e3",
        kind=_ARTICLE,
    ),
    # A "1." label, a two-word particle surname, a dotted journal abbreviation.
    _ref(
        "1. Le Pavec J, Humbert M. Pulmonary hypertension. J. Invest. Dermatol. "
        "2011;131(8):1650-9.",
        authors=_vancouver("Le Pavec J", "Humbert M"),
        title="Pulmonary hypertension",
        container_title="J. Invest. Dermatol",
        year="2011",
        volume="131",
        issue="8",
        pages="1650-9",
        first_page="1650",
        last_page="1659",
        kind=_ARTICLE,
    ),
    # "published online" with its own year, a bare DOI link, a PMID.
    _ref(
        "Mehta P, Porter JC, Manson JJ, et al. " + _BLOCKADE + ". Lancet Respir Med 2020; "
        "published online June 16, 2020. https://doi.org/10.1016/S2213-2600(20)30267-8. "
        "PMID: 32553908.",
        authors=_vancouver("Mehta P", "Porter JC", "Manson JJ"),
        et_al=True,
        title=_BLOCKADE,
        container_title="Lancet Respir Med",
        year="2020",
        doi="10.1016/S2213-2600(20)30267-8",
        pmid="32553908",
        published_online="2020-06-16",
        kind=_ARTICLE,
    ),
    # A "1 " label, "et al" without its period, HTML superscript, a DOI in parentheses.
    _ref(
        "1 Huet T, Beaussier H, Voisin O, et al Anakinra for severe forms of COVID-19<sup>"
        "</sup>: a cohort study. Lancet Rheumatol 2020; 2: e393–400 "
        "(doi:10.1016/S2665-9913(20)30164-8).",
        authors=_vancouver("Huet T", "Beaussier H", "Voisin O"),
        et_al=True,
        title="Anakinra for severe forms of COVID-19: a cohort study",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e393–400",
        first_page="e393",
        last_page="e400",
        doi="10.1016/S2665-9913(20)30164-8",
        kind=_ARTICLE,
    ),
    # A web address that is not a DOI, with Vancouver's "Available from:" around it.
    _ref(
        "Mehta P, Manson JJ. What is the clinical relevance of TNF inhibitors? Lancet "
        "Rheumatol 2020;2(1):e10-2. Available from: https://www.example.org/mehta.",
        authors=_vancouver("Mehta P", "Manson JJ"),
        title="What is the clinical relevance of TNF inhibitors?",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="1",
        pages="e10-2",
        first_page="e10",
        last_page="e12",
        url="https://www.example.org/mehta",
        kind=_ARTICLE,
    ),
)


# One work (and a few others) in the styles of issue 3, and inputs as they arrive from PDFs,
# LaTeX and HTML. Expected values written by hand from the citations.
_CRON = (Author("Cron", "R. Q."), Author("Hartwell", "J."))
_CRON_FULL = (Author("Cron", "Randy Q."), Author("Hartwell", "Jane"))
_ANAKINRA = "Anakinra in severe COVID-19"

WIDE: tuple[tuple[str, Reference], ...] = (
    # Harvard (Cite Them Right): quoted title, "pp.".
    _ref(
        "Cron, R.Q. and Hartwell, J. (2020) 'Anakinra in severe COVID-19', Lancet "
        "Rheumatology, 2(6), pp. e358–e367.",
        authors=(Author("Cron", "R.Q."), Author("Hartwell", "J.")),
        title=_ANAKINRA,
        container_title="Lancet Rheumatology",
        year="2020",
        volume="2",
        issue="6",
        pages="e358–e367",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # Chicago notes-bibliography: "2, no. 6 (2020): e358–67".
    _ref(
        'Cron, Randy Q., and Jane Hartwell. "Anakinra in Severe COVID-19." Lancet '
        "Rheumatology 2, no. 6 (2020): e358–67.",
        authors=_CRON_FULL,
        title="Anakinra in Severe COVID-19",
        container_title="Lancet Rheumatology",
        year="2020",
        volume="2",
        issue="6",
        pages="e358–67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # MLA 9: "vol. 2, no. 6, 2020, pp. e358–67".
    _ref(
        'Cron, Randy Q., and Jane Hartwell. "Anakinra in Severe COVID-19." Lancet '
        "Rheumatology, vol. 2, no. 6, 2020, pp. e358–67.",
        authors=_CRON_FULL,
        title="Anakinra in Severe COVID-19",
        container_title="Lancet Rheumatology",
        year="2020",
        volume="2",
        issue="6",
        pages="e358–67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # ACS: semicolons between authors, "2020, 2 (6), e358–e367".
    _ref(
        "Cron, R. Q.; Hartwell, J. Anakinra in Severe COVID-19. Lancet Rheumatol. 2020, 2 (6), "
        "e358–e367.",
        authors=_CRON,
        title="Anakinra in Severe COVID-19",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        issue="6",
        pages="e358–e367",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # AIP/APS: no title, "124, 101801 (2020)".
    _ref(
        "R. Q. Cron, J. Hartwell, Phys. Rev. Lett. 124, 101801 (2020).",
        authors=_CRON,
        container_title="Phys. Rev. Lett",
        year="2020",
        volume="124",
        pages="101801",
        first_page="101801",
        kind=_ARTICLE,
    ),
    # Nature: "&" before the last author, "580, 123–127 (2020)".
    _ref(
        "Cron, R. Q. & Hartwell, J. Anakinra in severe COVID-19. Nature 580, 123–127 (2020).",
        authors=_CRON,
        title=_ANAKINRA,
        container_title="Nature",
        year="2020",
        volume="580",
        pages="123–127",
        first_page="123",
        last_page="127",
        kind=_ARTICLE,
    ),
    # Science: initials first, title ends with a period, "368, 1234–1237 (2020)".
    _ref(
        "R. Q. Cron, J. Hartwell, Anakinra in severe COVID-19. Science 368, 1234–1237 (2020).",
        authors=_CRON,
        title=_ANAKINRA,
        container_title="Science",
        year="2020",
        volume="368",
        pages="1234–1237",
        first_page="1234",
        last_page="1237",
        kind=_ARTICLE,
    ),
    # Cell: year in brackets after the authors, "181, 1036–1045".
    _ref(
        "Cron, R.Q., and Hartwell, J. (2020). Anakinra in severe COVID-19. Cell 181, 1036–1045.",
        authors=(Author("Cron", "R.Q."), Author("Hartwell", "J.")),
        title=_ANAKINRA,
        container_title="Cell",
        year="2020",
        volume="181",
        pages="1036–1045",
        first_page="1036",
        last_page="1045",
        kind=_ARTICLE,
    ),
    # Elsevier author-date (Harvard): "2020. Title. J. Autoimmun. 111, 102452."
    _ref(
        "Cron, R.Q., Hartwell, J., 2020. Anakinra in severe COVID-19. J. Autoimmun. 111, 102452.",
        authors=(Author("Cron", "R.Q."), Author("Hartwell", "J.")),
        title=_ANAKINRA,
        container_title="J. Autoimmun",
        year="2020",
        volume="111",
        pages="102452",
        first_page="102452",
        kind=_ARTICLE,
    ),
    # PDF-to-text: the year glued to the journal (the issue's own example).
    _ref(
        "Cron RQ, Hartwell J. Anakinra in severe COVID-19. Eur Respir J1995;8:1030–1038.",
        authors=(Author("Cron", "RQ"), Author("Hartwell", "J")),
        title=_ANAKINRA,
        container_title="Eur Respir J",
        year="1995",
        volume="8",
        pages="1030–1038",
        first_page="1030",
        last_page="1038",
        kind=_ARTICLE,
    ),
    # APA 7 preprint on arXiv.
    _ref(
        "Smith, J. (2019). Deep learning for citation parsing. arXiv preprint arXiv:1901.01234.",
        authors=(Author("Smith", "J."),),
        title="Deep learning for citation parsing",
        container_title="arXiv",
        year="2019",
        kind="posted-content",
        arxiv_id="1901.01234",
    ),
    # A bioRxiv preprint, Vancouver.
    _ref(
        "Smith J, Jones K. Deep learning for citation parsing. bioRxiv 2020.01.01.123456 "
        "[Preprint]. 2020.",
        authors=(Author("Smith", "J"), Author("Jones", "K")),
        title="Deep learning for citation parsing",
        container_title="bioRxiv",
        year="2020",
        kind="posted-content",
    ),
    # APA thesis: the genre in brackets, the institution as publisher.
    _ref(
        "Smith, J. (2015). Parsing references (Doctoral dissertation). University of Oxford, "
        "Oxford, UK.",
        authors=(Author("Smith", "J."),),
        title="Parsing references",
        year="2015",
        kind="thesis",
        publisher="University of Oxford, Oxford, UK",
    ),
    # An organisation as author, a report published by itself.
    _ref(
        "World Health Organization. Global tuberculosis report 2020. Geneva: World Health "
        "Organization; 2020.",
        authors=(Author("World Health Organization", organisation=True),),
        title="Global tuberculosis report 2020",
        year="2020",
        kind="book",
        publisher="World Health Organization",
    ),
    # APA book with an edition.
    _ref(
        "Smith, J. (2018). The book of parsing (2nd ed.). Oxford University Press.",
        authors=(Author("Smith", "J."),),
        title="The book of parsing",
        year="2018",
        kind="book",
        publisher="Oxford University Press",
    ),
    # "and others" for "et al." (APA-like).
    _ref(
        "Smith, J., Jones, K., and others (2019). A study of names. Journal of Names, 3, 1–2.",
        authors=(Author("Smith", "J."), Author("Jones", "K.")),
        et_al=True,
        title="A study of names",
        container_title="Journal of Names",
        year="2019",
        volume="3",
        pages="1–2",
        first_page="1",
        last_page="2",
        kind=_ARTICLE,
    ),
    # LaTeX accents, text commands and "--", pasted from BibTeX.
    _ref(
        "M{\\\"u}ller, J., O\\'Brien, K. and Cort\\'es, A. (2019). \\textit{Deep} learning for "
        "{B}ayesian inference. \\emph{J. Mach. Learn. Res.}, 20(3), 1--25.",
        authors=(Author("Müller", "J."), Author("O'Brien", "K."), Author("Cortés", "A.")),
        title="Deep learning for Bayesian inference",
        container_title="J. Mach. Learn. Res",
        year="2019",
        volume="20",
        issue="3",
        pages="1–25",
        first_page="1",
        last_page="25",
        kind=_ARTICLE,
    ),
    # Cyrillic names and title, Vancouver.
    _ref(
        "Иванов ИИ, Петров ПП. Название статьи. Вестник 2019; 5: 10–20.",
        authors=(Author("Иванов", "ИИ"), Author("Петров", "ПП")),
        title="Название статьи",
        container_title="Вестник",
        year="2019",
        volume="5",
        pages="10–20",
        first_page="10",
        last_page="20",
        kind=_ARTICLE,
    ),
    # Curly quotes kept inside a title, an em dash between pages.
    _ref(
        "Mehta P, Cron RQ. “Silencing the storm” — a review. Lancet Rheumatol 2020; 2: e358—67.",
        authors=(Author("Mehta", "P"), Author("Cron", "RQ")),
        title='"Silencing the storm" — a review',
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e358—67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # Markdown emphasis and strong, and an HTML entity for the dash.
    _ref(
        "Mehta P, Cron RQ. *Silencing the storm*. **Lancet Rheumatol** 2020; **2**: e358&ndash;67.",
        authors=(Author("Mehta", "P"), Author("Cron", "RQ")),
        title="Silencing the storm",
        container_title="Lancet Rheumatol",
        year="2020",
        volume="2",
        pages="e358–67",
        first_page="e358",
        last_page="e367",
        kind=_ARTICLE,
    ),
    # A word hyphenated at a PDF line end, and a ligature.
    _ref(
        "Smith J, Jones K. Hyphen-\nation and the ﬁrst eﬀect. Eur J Phys 2019; 3: 1–2.",
        authors=(Author("Smith", "J"), Author("Jones", "K")),
        title="Hyphenation and the first effect",
        container_title="Eur J Phys",
        year="2019",
        volume="3",
        pages="1–2",
        first_page="1",
        last_page="2",
        kind=_ARTICLE,
    ),
)

# Where the title ends and the container begins, in the shapes that the corpora showed wrong.
TITLES: tuple[tuple[str, Reference], ...] = (
    # Physics: no title, the journal's abbreviated words lead straight to the numbers.
    _ref(
        "R. Lindqvist et al. Astropart. Phys. 41 (2013) 102.",
        authors=(Author("Lindqvist", "R."),),
        et_al=True,
        container_title="Astropart. Phys",
        year="2013",
        volume="41",
        pages="102",
        first_page="102",
        kind=_ARTICLE,
    ),
    # PDF-to-text: the volume glued to the journal's last period.
    _ref(
        "T. Haverkamp, P. Osei, Phys.Rev.Lett.98,170401(2007).",
        authors=(Author("Haverkamp", "T."), Author("Osei", "P.")),
        container_title="Phys.Rev.Lett",
        year="2007",
        volume="98",
        pages="170401",
        first_page="170401",
        kind=_ARTICLE,
    ),
    # Title and abbreviated journal told apart by a comma only.
    _ref(
        "A. Moreau and J. Kessler, Quiver varieties and shifted Yangians, Adv. Math. 312 (2017), "
        "1-48.",
        authors=(Author("Moreau", "A."), Author("Kessler", "J.")),
        title="Quiver varieties and shifted Yangians",
        container_title="Adv. Math",
        year="2017",
        volume="312",
        pages="1-48",
        first_page="1",
        last_page="48",
        kind=_ARTICLE,
    ),
    # A conference's place after its name, not part of it.
    _ref(
        "H. Lindgren and S. Park. Adaptive routing in sparse sensor meshes. In Proceedings of the "
        "9th Workshop on Embedded Networks, Portland, OR, May 2004.",
        authors=(Author("Lindgren", "H."), Author("Park", "S.")),
        title="Adaptive routing in sparse sensor meshes",
        container_title="Proceedings of the 9th Workshop on Embedded Networks",
        year="2004",
        kind="proceedings-article",
    ),
    # Geology's "v." for the volume after the journal.
    _ref(
        "Okoro, P.N. and Vidal, J., Shocked quartz from the Tenoumer crater, Mauritania, Nature, "
        "v. 388, pp. 311-314, 1997.",
        authors=(Author("Okoro", "P.N."), Author("Vidal", "J.")),
        title="Shocked quartz from the Tenoumer crater, Mauritania",
        container_title="Nature",
        year="1997",
        volume="388",
        pages="311-314",
        first_page="311",
        last_page="314",
        kind=_ARTICLE,
    ),
    # APA chapter: the pages in brackets after the book's title.
    _ref(
        "Brandt, K. (2010). Reading the margins. In L. Ferris & M. Otte (Eds.), Marginalia and "
        "their readers (pp. 45-67). Leiden: Brill.",
        authors=(Author("Brandt", "K."),),
        title="Reading the margins",
        container_title="Marginalia and their readers",
        year="2010",
        pages="45-67",
        first_page="45",
        last_page="67",
        kind="book-chapter",
        publisher="Brill",
    ),
    # A sentence-case subtitle after the title's period is part of the title.
    _ref(
        "Halvorsen T, Mbeki L, Quist R. Tracing lipid rafts. Rapid labelling of membrane domains "
        "in living yeast cells. J Cell Sci (2011) 124:3021-3030.",
        authors=_vancouver("Halvorsen T", "Mbeki L", "Quist R"),
        title="Tracing lipid rafts. Rapid labelling of membrane domains in living yeast cells",
        container_title="J Cell Sci",
        year="2011",
        volume="124",
        pages="3021-3030",
        first_page="3021",
        last_page="3030",
        kind=_ARTICLE,
    ),
    # No stop between a sentence-case title and the journal: the capitalised words at the end.
    _ref(
        "Okonkwo C, Ferrari L, Nilsen H. Hypoxia delays the repair of double-strand breaks in "
        "cycling cells Mol Cell Biol 2003; 23:4512-4520.",
        authors=_vancouver("Okonkwo C", "Ferrari L", "Nilsen H"),
        title="Hypoxia delays the repair of double-strand breaks in cycling cells",
        container_title="Mol Cell Biol",
        year="2003",
        volume="23",
        pages="4512-4520",
        first_page="4512",
        last_page="4520",
        kind=_ARTICLE,
    ),
    # "Vol." after the journal with no comma before it.
    _ref(
        "Brennan, T. and Oduya, K., Night shifts and memory, Journal of Shift Work Studies Vol. "
        "12, No. 3, pp. 45-52, 2008.",
        authors=(Author("Brennan", "T."), Author("Oduya", "K.")),
        title="Night shifts and memory",
        container_title="Journal of Shift Work Studies",
        year="2008",
        volume="12",
        issue="3",
        pages="45-52",
        first_page="45",
        last_page="52",
        kind=_ARTICLE,
    ),
    # A proceedings' publisher and place after its name: ACM is the publisher.
    _ref(
        "Tanaka, R. (2004). Sketching interfaces with pens. In Proceedings of the 3rd Symposium "
        "on Pen Computing, ACM, New York, pp. 11-19.",
        authors=(Author("Tanaka", "R."),),
        title="Sketching interfaces with pens",
        container_title="Proceedings of the 3rd Symposium on Pen Computing",
        year="2004",
        pages="11-19",
        first_page="11",
        last_page="19",
        kind="proceedings-article",
        publisher="ACM",
    ),
    # Surnames alone with "et al." before an abbreviated journal, no title.
    _ref(
        "Okafor, et al., J. Plant Physiol. 161 (2004) 211-219.",
        authors=(Author("Okafor"),),
        et_al=True,
        container_title="J. Plant Physiol",
        year="2004",
        volume="161",
        pages="211-219",
        first_page="211",
        last_page="219",
        kind=_ARTICLE,
    ),
    # Two surnames alone before an abbreviated journal, no title.
    _ref(
        "Lindahl and Moreau, Circ. Res. (2006) 98:1120-1128.",
        authors=(Author("Lindahl"), Author("Moreau")),
        container_title="Circ. Res",
        year="2006",
        volume="98",
        pages="1120-1128",
        first_page="1120",
        last_page="1128",
        kind=_ARTICLE,
    ),
    # A technical report: its series and number are not a container; the institution that
    # issued it is its publisher, as in Crossref's records of reports.
    _ref(
        "M. Okada and P. Varga. Lazy evaluation of sparse tensor programs. Technical Report "
        "TR-2011-07, Department of Computer Science, University of Leeds, 2011.",
        authors=(Author("Okada", "M."), Author("Varga", "P.")),
        title="Lazy evaluation of sparse tensor programs",
        year="2011",
        kind="report",
        publisher="Department of Computer Science, University of Leeds",
    ),
    # A subtitle after the title's period, up to the "In:" of the source.
    _ref(
        "Brauer, M. (2009). Stille Wasser. Zur Poetik der Flusslandschaft bei Storm. In: "
        "Weimarer Beiträge 55, 211-230.",
        authors=(Author("Brauer", "M."),),
        title="Stille Wasser. Zur Poetik der Flusslandschaft bei Storm",
        container_title="Weimarer Beiträge",
        year="2009",
        volume="55",
        pages="211-230",
        first_page="211",
        last_page="230",
        kind=_ARTICLE,
    ),
    # A book's length, "312 p.", is neither a volume nor its pages.
    _ref(
        "Halloran, M., Rivers of the Steppe: Water and Empire in Central Asia, Chicago: Meridian "
        "Press, 2011, 312 p.",
        authors=(Author("Halloran", "M."),),
        title="Rivers of the Steppe: Water and Empire in Central Asia",
        year="2011",
        kind="book",
        publisher="Meridian Press",
    ),
    # A publisher after the title's comma ends the title.
    _ref(
        "Ferreira, L. and Amoah, K., The Shape of Rivers, Riverbend University Press, Cambridge, "
        "1998.",
        authors=(Author("Ferreira", "L."), Author("Amoah", "K.")),
        title="The Shape of Rivers",
        year="1998",
        kind="book",
        publisher="Riverbend University Press",
    ),
)

ALL: tuple[tuple[str, Reference], ...] = SEED + STYLES + EDGES + WIDE + TITLES
