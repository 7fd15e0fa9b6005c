"""The third step: ``citation text -> parse -> Reference``, and after resolving, ``align``.

Takes the text of one citation; gives a :class:`~refcheck.model.Reference`, its fields cut by
a trained sequence model (:mod:`~refcheck.parsing.segment`, the model file beside it) and put
into shape by :mod:`~refcheck.parsing.citation` (clean-up, identifiers, numbers; its
patterns in :mod:`~refcheck.parsing.grammar`), the author run read by
:mod:`~refcheck.parsing.names`. Once a reference is matched,
:func:`align` re-cuts its fields along the matched work's. :mod:`~refcheck.parsing.normalize`
folds text for comparison. Pure: no I/O but reading the model once.
"""

from refcheck.parsing.align import align
from refcheck.parsing.citation import clean_citation, page_ends, parse_citation, parse_citations

__all__ = ["align", "clean_citation", "page_ends", "parse_citation", "parse_citations"]
