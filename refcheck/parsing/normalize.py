"""Text normalisation shared by the parser, the comparison and the document checks.

Pure functions, no I/O. They fold away what does not distinguish two spellings of the same
thing (case, accents, dashes, markup) and keep what does.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from anyascii import anyascii

__all__ = ["UMLAUTS", "fold", "name_key", "name_keys", "words"]

_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-fold, strip accents and unify dashes: "Brito-Zerón" -> "brito-zeron"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_DASHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, punctuation dropped: "IL-1β signaling" -> ["il", "1β", ...]."""
    return _WORD.findall(fold(text))


#: German umlauts written out, the other spelling of the same name ("Müller", "Mueller").
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def name_key(word: str) -> str:
    """A name as plain ASCII letters and digits, lower case (anyascii transliterates: "Şimşek"
    -> "simsek", "Søren" -> "soren", "ß" -> "ss", Greek "Κita" -> "kita")."""
    ascii_word = anyascii(unicodedata.normalize("NFC", word))
    return "".join(ch for ch in ascii_word.casefold() if ch.isalnum())


@functools.lru_cache(maxsize=1 << 14)
def name_keys(name: str) -> frozenset[str]:
    """The spellings of a name that are one name: its letters in ASCII, lower case, without
    spaces, hyphens or apostrophes, transliterated (anyascii: "Şimşek" -> "simsek", "Søren"
    -> "soren", "ß" -> "ss", Greek "Κita" -> "kita"), and German umlauts written out
    ("Müller" -> "mueller" as well as "muller")."""
    return frozenset(k for v in (name, name.translate(UMLAUTS)) if (k := name_key(v)))
