"""What the readers of structured sources share (a ``.bib`` entry, a JATS
``element-citation``): the display text of a reference built from fields."""

from __future__ import annotations

from refcheck.model import Reference

__all__ = ["describe"]


def describe(reference: Reference) -> str:
    """A citation's text for a reference built from fields: Vancouver-like, for reports."""
    names = ", ".join(f"{a.family} {a.initials}".strip() for a in reference.authors)
    if reference.et_al:
        names += ", et al"
    parts = [p for p in (names, reference.title) if p]
    source = "; ".join(p for p in (reference.year, reference.volume) if p)
    if reference.issue:
        source += f"({reference.issue})"
    if reference.pages:
        source += f": {reference.pages}"
    parts.append(" ".join(p for p in (reference.container_title, source) if p))
    if reference.doi:
        parts.append(f"doi:{reference.doi}")
    return ". ".join(p.rstrip(".") for p in parts if p) + "."
