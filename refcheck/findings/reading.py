"""Findings about how the manuscript was read: what a reader could not read as written, and
whether the text's citation keys and its bibliography agree.

Pure: takes a :class:`~refcheck.readers.text.Manuscript`, returns findings with locations.

* ``unreadable-entry`` (warning): a bibliography entry that BibTeX (pybtex) cannot read as
  written; the message names the entry, its line and the fields a tolerant parser kept.
* ``author-list-commas`` (warning): an author list separated by commas, which BibTeX reads as
  one person with a long name; refcheck read it as the list it means.
* ``field-code-mismatch`` (warning): a Word reference manager's field (Zotero, Mendeley) and
  the printed reference disagree.
* ``cited-key-missing`` (error): a key the text cites (``\\cite{key}``, ``[@key]``) that no
  bibliography entry has: the document prints "[?]" there.
* ``uncited-entry`` (info): a bibliography entry the text never cites (it is not checked);
  past :data:`MAX_UNCITED_LISTED` of them, one finding lists them all.
"""

from __future__ import annotations

from refcheck.model import Finding, Location, Severity
from refcheck.readers.text import Manuscript

__all__ = ["MAX_UNCITED_LISTED", "SEVERITIES", "reading_findings"]

#: Past this many uncited entries (a shared bibliography), one finding lists them all.
MAX_UNCITED_LISTED = 20

#: The severity of each code a reader's note can carry.
SEVERITIES = {
    "unreadable-entry": Severity.WARNING,
    "author-list-commas": Severity.WARNING,
    "field-code-mismatch": Severity.WARNING,
}


def reading_findings(manuscript: Manuscript) -> tuple[Finding, ...]:
    """The findings of a manuscript's reading notes and of its citation keys."""
    findings = [
        Finding(
            note.code,
            SEVERITIES.get(note.code, Severity.WARNING),
            note.message,
            cited=note.cited,
            expected=note.expected,
            location=note.location,
        )
        for note in manuscript.notes
    ]
    if manuscript.cited_keys is None:
        return tuple(findings)
    known = {c.anchor for c in manuscript.citations if c.anchor}
    known.update(c.anchor for c in manuscript.uncited if c.anchor)
    reported: set[str] = set()
    for cited in manuscript.cited_keys:
        if cited.key in known or cited.key in reported:
            continue
        reported.add(cited.key)
        findings.append(
            Finding(
                "cited-key-missing",
                Severity.ERROR,
                f"the text cites {cited.key!r}, which is not in the bibliography",
                cited=cited.key,
                location=cited.location,
            )
        )
    if len(manuscript.uncited) > MAX_UNCITED_LISTED:
        first = manuscript.uncited[0]
        keys = [e.anchor or e.label for e in manuscript.uncited]
        shown = ", ".join(keys[:MAX_UNCITED_LISTED])
        findings.append(
            Finding(
                "uncited-entry",
                Severity.INFO,
                f"{len(keys)} entries of the bibliography are never cited in the text (not "
                f"checked): {shown}, ...",
                cited=" ".join(keys),
                location=Location(first.file, first.line),
            )
        )
        return tuple(findings)
    for entry in manuscript.uncited:
        findings.append(
            Finding(
                "uncited-entry",
                Severity.INFO,
                f"the bibliography entry {entry.anchor or entry.label!r} is never cited in the "
                "text (not checked)",
                cited=entry.anchor or entry.label,
                location=entry.location,
            )
        )
    return tuple(findings)
