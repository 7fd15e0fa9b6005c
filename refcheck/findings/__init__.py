"""The fifth step: ``Reference + Match -> compare -> findings``, and the document's own checks.

Takes a reference with the work it resolved to; gives the :class:`~refcheck.model.Finding`
values of what differs (:func:`compare`, field by field, in :mod:`~refcheck.findings.compare`),
of what the record says about the work (retractions, corrections, newer versions:
:mod:`~refcheck.findings.integrity`), and of what the manuscript gets wrong with itself (a
name spelt two ways, a work cited differently: :func:`check_document`, in
:mod:`~refcheck.findings.document`), and of how it was read (an entry BibTeX cannot read, a
cited key missing from the bibliography: :func:`reading_findings`, in
:mod:`~refcheck.findings.reading`). Pure: no I/O.
"""

from refcheck.findings.compare import compare, compare_fields
from refcheck.findings.document import check_document
from refcheck.findings.integrity import integrity_findings
from refcheck.findings.reading import reading_findings

__all__ = ["check_document", "compare", "compare_fields", "integrity_findings", "reading_findings"]
