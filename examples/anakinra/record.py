"""Re-record ``crossref-responses.jsonl``, the Crossref answers the offline example replays.

The records in ``works.jsonl`` were assembled from public bibliographic records, not captured
from the Crossref API (see README.md here). This script serves them with refcheck's Crossref
stand-in (:mod:`refcheck.testing`), checks ``manuscript.md`` against it, and records every
request and answer, in Crossref's own response format, so that::

    refcheck check examples/anakinra/manuscript.md \
        --replay examples/anakinra/crossref-responses.jsonl

prints the full report with no network. Run it again whenever the parser or the resolver
changes the requests refcheck makes:

    python examples/anakinra/record.py
"""

from __future__ import annotations

import json
from pathlib import Path

from refcheck import CrossrefSettings, check_file
from refcheck.testing import serve_crossref

HERE = Path(__file__).resolve().parent


def main() -> None:
    records = [
        json.loads(line)["record"]
        for line in (HERE / "works.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out = HERE / "crossref-responses.jsonl"
    out.unlink(missing_ok=True)
    with serve_crossref(records) as crossref:
        settings = CrossrefSettings(base_url=crossref.base_url, cache=None, record=out)
        check_file(HERE / "manuscript.md", settings=settings, concurrency=1)
    lines = sorted(set(out.read_text(encoding="utf-8").splitlines()))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"recorded {len(lines)} exchanges in {out}")


if __name__ == "__main__":
    main()
