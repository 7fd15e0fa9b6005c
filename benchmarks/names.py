"""Name parsers compared: refcheck's name model against nameparser and probablepeople.

Run from the repository root (needs ``../shared/data``)::

    pip install -e '.[bench]'     # nameparser and probablepeople among them
    python3 benchmarks/names.py [--limit 3000]

Each author of the genuine Crossref records of ``../shared/data/crossref/works.jsonl.gz``
(the half the parser was not trained on, ``eligible`` in ``benchmarks/matching.py``) that has
a family and a given name is written in the five ways citation styles print one name:

* ``given``: "Jean-Pierre van der Berg" (IEEE, APS, Science: given names first);
* ``initials``: "J.-P. van der Berg";
* ``inverted``: "van der Berg, Jean-Pierre" (MLA's first author, Chicago);
* ``inverted initials``: "van der Berg, J.-P." (APA, Harvard, ACS);
* ``vancouver``: "van der Berg JP" (AMA, BMJ, Lancet: family first, initials without
  periods).

Each parser reads each form; it is right when the family name it gives is the record's
(letters only, case and accents folded). The share right is reported per form, and for
the issue's hard shapes (a hyphen or a prefix such as Mc in the family name, a particle, a
suffix). A parser is given one name at a time, as it expects: refcheck reads whole lists,
which the libraries do not.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from matching import WORKS, eligible  # noqa: E402

from refcheck.parsing.names import parse_name  # noqa: E402
from refcheck.parsing.normalize import name_key  # noqa: E402
from refcheck.testing import load_works  # noqa: E402


def _initials(given: str, periods: bool) -> str:
    parts = re.split(r"(\s+|-)", given.strip())
    out = []
    for part in parts:
        if part == "-":
            out.append("-")
        elif part.strip() and part[0].isalpha():
            out.append(part[0].upper() + ("." if periods else ""))
        elif part.strip():
            out.append(part)
        elif periods:
            out.append(" ")
    text = "".join(out)
    return text if periods else text.replace("-", "")


def forms(family: str, given: str) -> dict[str, str]:
    return {
        "given": f"{given} {family}",
        "initials": f"{_initials(given, True)} {family}",
        "inverted": f"{family}, {given}",
        "inverted initials": f"{family}, {_initials(given, True)}",
        "vancouver": f"{family} {_initials(given, False)}",
    }


def refcheck_family(text: str, form: str) -> str:
    order = "family" if form == "vancouver" else None
    return parse_name(text, order=order).family


def nameparser_family(text: str, form: str) -> str:
    from nameparser import HumanName

    return str(HumanName(text).last)


def probablepeople_family(text: str, form: str) -> str:
    import probablepeople

    try:
        tagged, _ = probablepeople.tag(text)
    except probablepeople.RepeatedLabelError:
        return ""
    return " ".join(v for k, v in tagged.items() if k in ("Surname", "LastInitial"))


PARSERS: dict[str, Callable[[str, str], str]] = {
    "refcheck": refcheck_family,
    "nameparser": nameparser_family,
    "probablepeople": probablepeople_family,
}


def hard(family: str) -> bool:
    return bool(re.search(r"-|^(?:Mc|Mac|O'|D'|La)[A-Z]|\s", family))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=3000, help="authors (3000)")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    records = [r for r in load_works(WORKS) if eligible(r)]
    people = [
        (str(a["family"]).strip(), str(a["given"]).strip())
        for r in records
        for a in r.get("author") or []
        if isinstance(a, dict) and a.get("family") and a.get("given")
    ]
    people = [p for p in people if " " not in p[0] or hard(p[0])]
    random.Random(args.seed).shuffle(people)
    sample = people[: args.limit]
    hard_cases = [p for p in people if hard(p[0])][: args.limit]
    names = list(PARSERS)
    print("| form | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label, group in (("all", sample), ("hard", hard_cases)):
        for form in ("given", "initials", "inverted", "inverted initials", "vancouver"):
            cells = []
            for name in names:
                right = sum(
                    name_key(PARSERS[name](forms(f, g)[form], form)) == name_key(f)
                    for f, g in group
                )
                cells.append(f"{right / len(group):.3f}")
            print(f"| {form} ({label}, n={len(group)}) | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
