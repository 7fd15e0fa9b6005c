"""Issue 15's attacks, run as a user meets them: the real command in a child process.

    python3 benchmarks/reliability.py --attacks-only

Each attack sets up its files (in a temporary directory) or its server (the Crossref stand-in,
or a hostile server, on 127.0.0.1), runs ``python -m refcheck ...`` in a child process that
reports its peak RSS (``ru_maxrss``) when it exits, and judges the outcome: *held* when
refcheck did the safe thing (the right report, or a clear error without a traceback), *lost*
says what was lost (references without a result, files moved or changed that refcheck did not
make, secrets that reached another origin). Nothing here sleeps in test mode: waits, memory
and timeouts are real. The seed manuscript (``examples/anakinra``, 15 references) is the
manuscript unless said otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from seed import MANUSCRIPT, seed_citation, seed_records  # noqa: E402

from refcheck.testing import CrossrefStandIn, serve_crossref  # noqa: E402

# The child's own peak RSS in KiB: VmHWM, which exec resets (ru_maxrss keeps the parent's
# peak across fork on Linux, so that a small child would show the benchmark's own memory).
PEAK = r"""
def peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
WRAPPER = (
    PEAK
    + r"""
import runpy, sys
sys.argv = ["refcheck", *sys.argv[1:]]
try:
    runpy.run_module("refcheck", run_name="__main__", alter_sys=True)
finally:
    sys.stderr.write(f"\n@maxrss {peak()}\n")
"""
)
READER = (
    PEAK
    + r"""
import sys, time
from refcheck.readers import read_file
started = time.perf_counter()
try:
    manuscript = read_file(sys.argv[1])
    outcome = f"{len(manuscript.citations)} citations"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
took = time.perf_counter() - started
print(f"{took:.3f} {peak()} {outcome}")
"""
)
CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), *range(127, 160))]
MAILTO, KEY, TOKEN = "private.person@example.org", "k3y-0f-the-user-0123456789", "plus-t0ken-0123"


@dataclass
class Row:
    defect: str
    attack: str
    held: bool
    lost: str
    seconds: float
    rss: float


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    rss: float

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.err


def env(**extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_")}
    values.update(PYTHONPATH=str(ROOT), **extra)
    return values


def command(
    *args: Any,
    environ: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 900,
    stdin: bytes | None = None,
) -> Run:
    """``python -m refcheck ARGS`` in a child process: code, out, err, seconds, peak RSS."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *map(str, args)],
        capture_output=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        env=environ or env(),
        input=stdin,
        check=False,
    )
    took = time.perf_counter() - started
    err = result.stderr.decode("utf-8", "replace")
    body, _, rss = err.rpartition("\n@maxrss ")
    return Run(
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        body,
        took,
        int(rss.strip() or 0) / 1024,
    )


def tree(path: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(path)): p.read_bytes() if p.is_file() and not p.is_symlink() else None
        for p in sorted(path.rglob("*"))
    }


def unchecked(out: str) -> int:
    return json.loads(out)["summary"]["unchecked"]


def summary(out: str) -> str:
    lines = out.strip().splitlines()
    return lines[-1] if lines else ""


# --- 1, 2, 3, 7: the cache ----------------------------------------------------------------


def cache_attacks(crossref: CrossrefStandIn) -> Iterator[Row]:
    base = ["check", MANUSCRIPT, "--base-url", crossref.base_url]
    for offline in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            notes = Path(tmp) / "notes.txt"
            notes.write_text("my notes, not a cache\n", encoding="utf-8")
            before = tree(Path(tmp))
            run = command(*base, "--cache", notes, *(["--offline"] if offline else []))
            intact = before == tree(Path(tmp))
            yield Row(
                "1",
                f"`--cache notes.txt`{' --offline' if offline else ''}",
                intact and run.code == 3 and not run.traceback,
                "nothing" if intact else "notes.txt moved",
                run.seconds,
                run.rss,
            )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "paper.md").write_text("my paper\n", encoding="utf-8")
        before = tree(Path(tmp))
        run = command(*base, environ=env(REFCHECK_CACHE=tmp), cwd=Path(tmp))
        intact = before == tree(Path(tmp))
        yield Row(
            "1",
            "`REFCHECK_CACHE=$PWD`",
            intact and run.code == 3 and not run.traceback,
            "nothing" if intact else "the directory moved",
            run.seconds,
            run.rss,
        )
    with tempfile.TemporaryDirectory() as tmp:
        home, repo = Path(tmp) / "home", Path(tmp) / "repo"
        home.mkdir()
        (home / "thesis.tex").write_text("years of work\n", encoding="utf-8")
        repo.mkdir()
        (repo / ".git").mkdir()
        (repo / "refcheck.toml").write_text('cache = "~"\n', encoding="utf-8")
        (repo / "paper.md").write_bytes(MANUSCRIPT.read_bytes())
        before = tree(home)
        run = command("check", repo / "paper.md", "--offline", environ=env(HOME=str(home)))
        intact = before == tree(home)
        yield Row(
            "1",
            '`cache = "~"` in a checked repository\'s refcheck.toml',
            intact and run.code == 2 and "outside" in run.err,
            "nothing" if intact else "the home directory moved",
            run.seconds,
            run.rss,
        )
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "c.sqlite"
        command(*base, "--cache", cache)
        rows = _rows(cache)
        killer = (
            "import os, sqlite3, sys\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('PRAGMA cache_size = 1'); db.execute('BEGIN IMMEDIATE')\n"
            "for i in range(3000):\n"
            "    db.execute('INSERT INTO responses VALUES (?, randomblob(2000), 1e12)',\n"
            "               (f'j{i}',))\n"
            "os._exit(9)\n"
        )
        subprocess.run([sys.executable, "-c", killer, str(cache)], check=False)
        hot = Path(str(cache) + "-journal").exists()
        crossref.clear_log()
        run = command(*base, "--cache", cache, "--offline")
        kept = _rows(cache)
        moved = any(p.name.endswith(".corrupt") for p in Path(tmp).iterdir())
        yield Row(
            "2",
            "a writer killed mid-transaction (hot journal), then `--offline`",
            hot and kept == rows and not moved and run.code == 1,
            f"{rows - kept} of {rows} answers",
            run.seconds,
            run.rss,
        )
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "c.sqlite"
        command(*base, "--cache", cache)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys, time\n"
                "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(6)\n"
                "db.execute('COMMIT')",
                str(cache),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None
        holder.stdout.readline()
        run = command(*base, "--cache", cache, "--offline")
        holder.wait()
        moved = any(p.name.endswith(".corrupt") for p in Path(tmp).iterdir())
        yield Row(
            "2",
            "the cache locked by another process for 6 s",
            not moved and run.code == 1,
            "nothing" if not moved else "the cache moved",
            run.seconds,
            run.rss,
        )
    for name, body in (
        ("truncated JSON", '{"status": "ok", "message-type": "work", "mess'),
        ("a captive portal's page", "<html><body>Log in to the hotel Wi-Fi</body></html>"),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "c.sqlite"
            crossref.answer_next(100_000, body=body)
            command(*base, "--cache", cache, "--format", "json")
            crossref._failures.clear()
            run = command(*base, "--cache", cache, "--format", "json")
            lost = unchecked(run.out)
            yield Row(
                "3",
                f"{name} with 200, then a healthy server, one cache",
                lost == 0,
                f"{lost} of 15 results",
                run.seconds,
                run.rss,
            )
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "c.sqlite"
        command(*base, "--cache", cache, "--mailto", MAILTO)
        run = command(*base, "--cache", cache, "--offline", "--format", "json")
        lost = unchecked(run.out)
        yield Row(
            "7",
            "cache filled with `--mailto`, read `--offline` without it",
            lost == 0,
            f"{lost} of 15 results",
            run.seconds,
            run.rss,
        )


def _rows(cache: Path) -> int:
    with sqlite3.connect(cache) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
    db.close()
    return int(count)


# --- 4 and the trickle: hostile answers ------------------------------------------------------


def bomb(inflated: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(inflated >> 20)) + packer.flush()


def answer_attacks(crossref: CrossrefStandIn, expected: str) -> Iterator[Row]:
    base = ["check", MANUSCRIPT, "--base-url", crossref.base_url, "--no-cache"]
    hostile = [
        ("a 400 kB JSON answer nested 200,000 deep", "[" * 200_000 + "]" * 200_000, {}),
        ("a 1 GiB gzip bomb (1 MB on the wire)", bomb(1 << 30), {"Content-Encoding": "gzip"}),
    ]
    for name, body, headers in hostile:
        for count, scope in ((1, "to the first request"), (100_000, "to every request")):
            crossref.answer_next(count, body=body, content_type="application/json", headers=headers)
            run = command(*base, "--format", "json")
            crossref._failures.clear()
            report = json.loads(run.out) if run.out.strip() else {"references": []}
            results = sum(1 for r in report["references"] if r["status"])
            bad = [r for r in report["references"] if r["status"] == "unchecked"]
            held = results == 15 and not run.traceback and len(bad) == (1 if count == 1 else 15)
            yield Row(
                "4",
                f"{name}, {scope}",
                held,
                f"{15 - results} of 15 results ({len(bad)} not checked)",
                run.seconds,
                run.rss,
            )
    for interval in ("99999999999h", "3600s"):
        crossref.headers.update({"x-rate-limit-limit": "1", "x-rate-limit-interval": interval})
        run = command(*base, timeout=3600)
        crossref.headers.clear()
        yield Row(
            "4",
            f"`x-rate-limit-limit: 1`, `x-rate-limit-interval: {interval}`",
            run.out == expected and not run.traceback,
            "nothing" if run.out == expected else "the report differs",
            run.seconds,
            run.rss,
        )
    small = "References\n\n" + "\n".join(
        f"{n}. {seed_citation(label)}" for n, label in enumerate(("A1", "B3", "C2"), 1)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.md"
        path.write_text(small, encoding="utf-8")
        crossref.slow_next(100_000, delay=0.5, pieces=400)  # 200 s a body, each piece < 1 s
        crossref.clear_log()
        run = command(
            "check",
            path,
            "--base-url",
            crossref.base_url,
            "--no-cache",
            "--timeout",
            "1",
            "--format",
            "json",
        )
        crossref._failures.clear()
        attempts = max(1, len(crossref.requests))
        per = run.seconds / attempts
        yield Row(
            "trickle",
            "every body trickling, a piece each 0.5 s (`--timeout 1`: 200 s a "
            f"body); {attempts} attempts",
            per < 3.0 + 1.0 and not run.traceback,
            f"{3 - len(json.loads(run.out)['references'])} of 3 results; "
            f"{per:.1f} s an attempt (deadline 3 s)",
            run.seconds,
            run.rss,
        )


# --- 5: terminal and CI injection ----------------------------------------------------------


def injection_attacks() -> Iterator[Row]:
    record = dict(seed_records()[0], title=["Silencing \x1b]0;owned\x07 the \x9b31mstorm"])
    doi = record["DOI"]
    with serve_crossref([record]) as server, tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "refs.bib"
        bib.write_text(
            f"@article{{key\x1b]0;pwned\x07,\n title = {{Some \x1b[2J title}},\n"
            f" doi = {{{doi}}}, year = {{2020}}}}\n",
            encoding="utf-8",
        )
        found, seconds, rss, malformed = 0, 0.0, 0.0, 0
        formats = ("text", "json", "github", "gitlab", "junit", "sarif")
        for output_format in formats:
            run = command(
                "check",
                bib,
                "--base-url",
                server.base_url,
                "--no-cache",
                "-v",
                "--format",
                output_format,
            )
            found += sum(run.out.count(c) + run.err.count(c) for c in CONTROL)
            seconds, rss = seconds + run.seconds, max(rss, run.rss)
            if output_format == "junit":
                try:
                    ET.fromstring(run.out.encode("utf-8"))
                except ET.ParseError:
                    malformed += 1
        yield Row(
            "5",
            "OSC, CSI and BEL in a .bib key and in Crossref's record, 6 formats",
            found == 0 and malformed == 0,
            f"{found} control characters in the output; JUnit "
            f"{'well-formed' if not malformed else 'malformed'}",
            seconds,
            rss,
        )


# --- 6: Ctrl-C -----------------------------------------------------------------------------


def interrupt_attacks() -> Iterator[Row]:
    with serve_crossref(seed_records(), latency=0.3) as slow:
        for presses in (1, 3):
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                run = subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        WRAPPER,
                        "check",
                        str(MANUSCRIPT),
                        "--base-url",
                        slow.base_url,
                        "--cache",
                        str(Path(tmp) / "c.sqlite"),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=ROOT,
                    env=env(),
                )
                while len(slow.requests) < 4 and time.perf_counter() - started < 60:
                    time.sleep(0.01)
                pressed, sent = time.perf_counter(), len(slow.requests)
                for _ in range(presses):
                    run.send_signal(signal.SIGINT)
                    time.sleep(0.05)
                out, err = run.communicate(timeout=120)
                took = time.perf_counter() - pressed
                err, _, peak = err.rpartition("\n@maxrss ")
                rss = int(peak.strip() or 0) / 1024
                time.sleep(1.0)  # the stand-in logs a request once it has answered it
                after = len(slow.requests) - sent
                slow.clear_log()
                again = command(
                    "check",
                    MANUSCRIPT,
                    "--base-url",
                    slow.base_url,
                    "--cache",
                    Path(tmp) / "c.sqlite",
                )
                clean = "corrupt" not in again.err and again.code == 1
                if presses == 1:
                    held = run.returncode == 130 and "15 references" in out and clean
                    lost = f"none: the report of 15 references; {after} request(s) after Ctrl-C"
                else:
                    held = run.returncode in (130, -signal.SIGINT) and clean
                    lost = f"none (quits at once); {after} request(s) after Ctrl-C"
                held = held and "Traceback" not in err
                yield Row(
                    "6",
                    f"Ctrl-C {'once' if presses == 1 else 'three times'} mid-run "
                    f"(exit {run.returncode}; the next run's cache "
                    f"{'whole' if clean else 'damaged'})",
                    held,
                    lost,
                    took,
                    rss,
                )


# --- 8 and 9: hostile manuscripts and encodings ---------------------------------------------


def reader(path: Path) -> tuple[str, float, float]:
    result = subprocess.run(
        [sys.executable, "-c", READER, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env(),
        timeout=900,
        check=False,
    )
    took, rss, outcome = result.stdout.strip().split(" ", 2)
    return outcome, float(took), int(rss) / 1024


def manuscript_attacks() -> Iterator[Row]:
    docx_parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType'
        '="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/'
        'word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>',
    }
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY l0 "lol">'
        + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        + f"]><w:document {w}><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body>"
        "</w:document>"
    )
    cases: list[tuple[str, str, Callable[[Path], None], str]] = [
        (
            "JATS nested 20,000 deep",
            "deep.xml",
            lambda p: p.write_text(
                "<article><back><ref-list><ref><mixed-citation>"
                + "<italic>" * 20_000
                + "x"
                + "</italic>" * 20_000
                + "</mixed-citation></ref></ref-list></back></article>"
            ),
            "ParseError",
        ),
        (
            "a malformed .docx",
            "bad.docx",
            lambda p: _docx(p, docx_parts, f"<w:document {w}><w:body><w:p>unclosed"),
            "ParseError",
        ),
        (
            "a billion-laughs .docx",
            "lol.docx",
            lambda p: _docx(p, docx_parts, laughs),
            "ParseError",
        ),
        ("a link to /dev/zero", "zero.md", lambda p: p.symlink_to("/dev/zero"), "ParseError"),
        ("a FIFO", "fifo.bib", lambda p: os.mkfifo(p), "ParseError"),
        (
            "64 kB of `@string{`",
            "strings.bib",
            lambda p: p.write_text("@string{" * 8_000),
            "0 citations",
        ),
        (
            "540 kB of `\\begin{thebibliography}`",
            "begins.tex",
            lambda p: p.write_text("\\begin{thebibliography}{9}\n" * 20_000),
            "0 citations",
        ),
        (
            "40,000 `\\bibitem`",
            "items.tex",
            lambda p: p.write_text(
                "\\begin{thebibliography}{9}\n"
                + "".join(f"\\bibitem{{k{i}}} A. B. Title {i}. J. 2020.\n" for i in range(40_000))
                + "\\end{thebibliography}\n"
            ),
            "40000 citations",
        ),
        (
            "10,010 numbered references",
            "many.md",
            lambda p: p.write_text(
                "References\n\n"
                + "".join(
                    f"{i}. Author A. Title {i}. J Things 2020;1:{i}.\n" for i in range(1, 10_011)
                )
            ),
            "10010 citations",
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, file, make, expected in cases:
            path = Path(tmp) / file
            make(path)
            outcome, took, rss = reader(path)
            outcome = outcome.replace(f"{path.parent}{os.sep}", "")
            yield Row(
                "8", name, outcome.startswith(expected), f"nothing ({outcome[:70]})", took, rss
            )
    record = {
        "DOI": "10.1000/cp1252",
        "type": "journal-article",
        "title": ["Interleukin-1 blockade in cytokine storm syndromes"],
        "author": [{"family": "Müller", "given": "Anna"}],
        "container-title": ["Journal of Things"],
        "volume": "12",
        "page": "317-335",
        "issued": {"date-parts": [[2019]]},
    }
    bib = (
        "@article{muller2019,\n author = {Müller, Anna},\n title = {Interleukin-1 blockade in"
        " cytokine storm syndromes},\n journal = {Journal of Things}, volume = {12},\n"
        " pages = {317–335}, year = {2019}, doi = {10.1000/cp1252}\n}\n"
    )
    with serve_crossref([record]) as server, tempfile.TemporaryDirectory() as tmp:
        for encoding in ("cp1252", "utf-16-le", "utf-32"):
            path = Path(tmp) / f"refs-{encoding}.bib"
            path.write_bytes(bib.encode(encoding))
            run = command("check", path, "--base-url", server.base_url, "--no-cache")
            verified = summary(run.out) == "1 reference: 1 verified; 0 errors, 0 warnings, 0 info"
            yield Row(
                "9",
                f"a correct .bib in {encoding} (pages 317–335)",
                verified,
                "nothing" if verified else summary(run.out) or summary(run.err),
                run.seconds,
                run.rss,
            )


def _docx(path: Path, parts: dict[str, str], document: str) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("word/document.xml", document)


# --- 10: secrets on redirect ---------------------------------------------------------------


class _Server:
    """A server on 127.0.0.1 that logs every request and answers with ``respond``."""

    def __init__(self, respond: Callable[[str], tuple[int, dict[str, str], bytes]]) -> None:
        self.log: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.log.append((self.path, dict(self.headers.items())))
                status, headers, body = respond(self.path)
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"

    def leaked(self) -> int:
        seen = [unquote_plus(t) for t, _ in self.log] + [
            v for _, headers in self.log for v in headers.values()
        ]
        return sum(1 for s in (MAILTO, KEY, TOKEN, "private.person") for t in seen if s in t)


@contextmanager
def servers(echo: bool) -> Iterator[tuple[_Server, _Server]]:
    nothing = json.dumps(
        {
            "status": "ok",
            "message-type": "work-list",
            "message": {"items": []},
            "esearchresult": {"idlist": []},
            "results": [],
            "data": [],
        }
    ).encode()

    def other(target: str) -> tuple[int, dict[str, str], bytes]:
        if urlsplit(target).path.startswith(("/works/", "/dois/")):
            return 404, {}, b"Resource not found."
        return 200, {"Content-Type": "application/json"}, nothing

    elsewhere = _Server(other)
    own = _Server(
        lambda t: (302, {"Location": elsewhere.url + (t if echo else urlsplit(t).path)}, b"")
    )
    try:
        yield own, elsewhere
    finally:
        own.http.shutdown()
        elsewhere.http.shutdown()


def secret_attacks() -> Iterator[Row]:
    small = "References\n\n" + "\n".join(
        f"{n}. {seed_citation(label)}" for n, label in enumerate(("A1", "C2"), 1)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "paper.md"
        path.write_text(small, encoding="utf-8")
        for echo in (False, True):
            with servers(echo) as (own, elsewhere):
                run = command(
                    "check",
                    path,
                    "--no-cache",
                    "--mailto",
                    MAILTO,
                    "--ncbi-api-key",
                    KEY,
                    "--sources",
                    "crossref,pubmed,openalex,datacite",
                    "--base-url",
                    own.url,
                    "--pubmed-base-url",
                    own.url,
                    "--openalex-base-url",
                    own.url,
                    "--datacite-base-url",
                    own.url,
                    environ=env(REFCHECK_CROSSREF_PLUS_TOKEN=TOKEN),
                )
                leaked = elsewhere.leaked()
                what = "echoing the query" if echo else "to another origin"
                yield Row(
                    "10",
                    f"every service of 4 redirects {what} (mailto, NCBI key, Plus "
                    f"token): {len(elsewhere.log)} requests there",
                    leaked == 0 and not run.traceback,
                    f"{leaked} secrets sent elsewhere",
                    run.seconds,
                    run.rss,
                )
        hostile = _Server(
            lambda t: (
                200,
                {"Content-Type": "application/json"},
                b'{"status":"ok","message-type":"work-list","message":{"items":[]}}',
            )
        )
        repo = Path(tmp) / "repo"
        repo.mkdir()
        (repo / ".git").mkdir()
        (repo / "refcheck.toml").write_text(f'base-url = "{hostile.url}"\n', encoding="utf-8")
        (repo / "paper.md").write_text(small, encoding="utf-8")
        run = command(
            "check",
            repo / "paper.md",
            "--no-cache",
            environ=env(REFCHECK_CROSSREF_PLUS_TOKEN=TOKEN),
        )
        hostile.http.shutdown()
        leaked = hostile.leaked()
        yield Row(
            "10",
            "a checked repository's `base-url` with the CI's Plus token set",
            leaked == 0 and len(hostile.log) > 0,
            f"{leaked} secrets sent to it",
            run.seconds,
            run.rss,
        )


# --- 11: output ----------------------------------------------------------------------------


def output_attacks(crossref: CrossrefStandIn) -> Iterator[Row]:
    base = ["check", MANUSCRIPT, "--base-url", crossref.base_url, "--no-cache"]
    with tempfile.TemporaryDirectory() as tmp:
        crossref.clear_log()
        run = command(*base, "-o", Path(tmp) / "missing" / "report.txt")
        yield Row(
            "11",
            "`check -o missing/report.txt`",
            run.code == 2 and not run.traceback and not crossref.requests,
            f"nothing (refused before the run, {len(crossref.requests)} requests)",
            run.seconds,
            run.rss,
        )
        if Path("/dev/full").exists():
            run = command(*base, "-o", "/dev/full")
            whole = summary(run.out).startswith("15 references")
            yield Row(
                "11",
                "`check -o /dev/full` (no space left on device)",
                run.code == 2 and whole and not run.traceback,
                "nothing (the report on stdout)" if whole else "the report",
                run.seconds,
                run.rss,
            )
        paper = Path(tmp) / "paper.md"
        paper.write_bytes(MANUSCRIPT.read_bytes())
        run = command("check", paper, "--base-url", crossref.base_url, "--no-cache", "-o", paper)
        intact = paper.read_bytes() == MANUSCRIPT.read_bytes()
        yield Row(
            "11",
            "`check paper.md -o paper.md`",
            intact and run.code == 2,
            "nothing" if intact else "the manuscript",
            run.seconds,
            run.rss,
        )
        toml = Path(tmp) / "refcheck.toml"
        toml.write_bytes('mailto = "café@example.org"\n'.encode("latin-1"))
        run = command("check", paper, "--no-cache")
        yield Row(
            "11",
            "a Latin-1 refcheck.toml",
            run.code == 2 and not run.traceback,
            "nothing (exit 2, 'not UTF-8')",
            run.seconds,
            run.rss,
        )
        toml.unlink()
        (Path(tmp) / ".git").mkdir()
        (Path(tmp) / "pyproject.toml").write_text('tool = 5\n[project]\nname = "x"\n')
        run = command("check", paper, "--base-url", crossref.base_url, "--no-cache")
        yield Row(
            "11",
            "`tool = 5` in pyproject.toml",
            run.code == 1 and not run.traceback,
            "nothing (the file passed over)",
            run.seconds,
            run.rss,
        )
        latin = Path(tmp) / "citations.txt"
        latin.write_bytes("Sève P. Silencing the storm. Lancet 2020;2:e358.\n".encode("latin-1"))
        run = command("parse", "--file", latin, "--format", "json")
        ok = run.code == 0 and json.loads(run.out)[0]["authors"][0]["family"] == "Sève"
        yield Row(
            "11",
            "`parse --file` on a Latin-1 file",
            ok and not run.traceback,
            "nothing",
            run.seconds,
            run.rss,
        )


def run() -> list[Row]:
    """Every attack, in the order of the issue's defects."""
    rows: list[Row] = []
    with serve_crossref(seed_records()) as crossref:
        expected = command("check", MANUSCRIPT, "--base-url", crossref.base_url, "--no-cache").out
        rows += cache_attacks(crossref)
        rows += answer_attacks(crossref, expected)
        rows += injection_attacks()
        rows += interrupt_attacks()
        rows += manuscript_attacks()
        rows += secret_attacks()
        rows += output_attacks(crossref)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
