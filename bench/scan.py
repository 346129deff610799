"""Wall time and peak memory of a repository scan, on a small and on a large repository
generated locally (the large one: 10,000 commits, 5,000 files, over the last year).

    .venv/bin/python bench/scan.py

The repositories are built with ``git fast-import`` and served by ``git http-backend`` on
127.0.0.1 (the tests' forge), so the clone goes over smart HTTP as in production. The scan
is the production path without the database: address checks, bounded partial clone,
every check. Peak memory is the largest resident set among this process (which runs the
licence detector) and its children (git, reuse), as the kernel reports it.
"""

import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")
os.environ["EVIDENCE_ALLOW_LOCAL"] = "1"

import django  # noqa: E402

django.setup()

import subprocess  # noqa: E402

from evidence import git, safety  # noqa: E402
from evidence.checks.registry import run_checks  # noqa: E402
from tests.evidence.conftest import MIT, README  # noqa: E402
from tests.evidence.gitserver import GitServer  # noqa: E402

PEOPLE = [
    ("Alice", "alice@ville.example.fr"),
    ("Bob", "bob@asso.example.org"),
    ("Chloé", "chloe@coop.example.net"),
    ("Dan", "dan@gmail.com"),
]
HEADER = "# SPDX-FileCopyrightText: 2025 NEC\n# SPDX-License-Identifier: MIT\n"


def data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def generate(path: Path, *, commits: int, files: int) -> None:
    """A repository of ``files`` files whose history has ``commits`` commits spread over
    the last year, by four people, with a tag every 1,000 commits."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    now = datetime.now(UTC)
    start = now - timedelta(days=360)
    step = (now - start) / commits
    stream = [b"reset refs/heads/main\n"]
    for index in range(commits):
        name, email = PEOPLE[index % 7 % 4]
        when = int((start + step * index).timestamp())
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"mark :%d\n" % (index + 1))
        who = f"{name} <{email}> {when} +0000\n".encode()
        stream.append(b"author " + who + b"committer " + who)
        stream.append(data(f"change {index}"))
        if index == 0:
            stream.append(b"M 100644 inline LICENSES/MIT.txt\n" + data(MIT))
            stream.append(b"M 100644 inline README.md\n" + data(HEADER + README))
            for number in range(files - 2):
                source = f"{HEADER}def f{number}():\n    return {number}\n"
                stream.append(b"M 100644 inline src/m%d/f%d.py\n" % (number // 100, number))
                stream.append(data(source))
        else:
            number = index % (files - 2)
            source = f"{HEADER}def f{number}():\n    return {index}\n"
            stream.append(b"M 100644 inline src/m%d/f%d.py\n" % (number // 100, number))
            stream.append(data(source))
        if index and index % 1000 == 0:
            stream.append(b"reset refs/tags/v%d\nfrom :%d\n" % (index // 1000, index + 1))
        stream.append(b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(stream), cwd=path, check=True)


def scan(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    target = safety.resolve(url, timeout=30)
    with git.clone(target) as snapshot:
        results = run_checks(snapshot, datetime.now(UTC))
        files = len(snapshot.files)
        commits = len(snapshot.history)
    elapsed = time.perf_counter() - started
    return elapsed, {"files": files, "commits": commits, "results": results}


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main():
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        server = GitServer(root)
        print("| repository | files | commits | wall time | peak RSS (this process / child) |")
        print("| --- | --- | --- | --- | --- |")
        for name, commits, files in (("small", 50, 20), ("large", 10_000, 5_000)):
            started = time.perf_counter()
            generate(root / f"{name}.git", commits=commits, files=files)
            built = time.perf_counter() - started
            elapsed, found = scan(server.url(name))
            own, child = peak_mb()
            outcomes = {code: r.outcome for code, r in found["results"].items()}
            print(
                f"| {name} | {found['files']} | {found['commits']} | {elapsed:.1f} s "
                f"| {own:.0f} MB / {child:.0f} MB |"
            )
            print(f"<!-- {name}: generated in {built:.1f} s; {outcomes} -->", file=sys.stderr)
        server.stop()


if __name__ == "__main__":
    main()
