"""The bounded clone: plain ``git`` in a subprocess, nothing of the repository executed.

A partial clone (``--filter=blob:none``) of one year of the default branch, with hooks,
submodules, LFS, credential prompts and redirects off, checked out without symlinks, under
limits on wall time, size, file count and memory. Every stop is a Refusal.
"""

import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from .errors import Refusal
from .safety import Target

SYMLINK = "120000"
SUBMODULE = "160000"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    at: datetime


@dataclass
class Snapshot:
    """What the checks read: the checked-out tree at one commit, its history over the
    clone's window and its tags. ``files`` are repository paths (str, undecodable bytes
    replaced), ``root`` the checkout."""

    root: Path
    url: str
    commit: str
    committed_at: datetime
    files: list[str]
    history: list[Commit]
    tags: list[tuple[str, datetime]]
    symlinks: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    def path(self, name: str) -> Path | None:
        """The checked-out file ``name`` if it is a regular file inside the clone."""
        candidate = self.root / name
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(self.root.resolve()) or candidate.is_symlink():
            return None
        return resolved if resolved.is_file() else None

    def read(self, name: str, limit: int = 1_000_000) -> bytes | None:
        path = self.path(name)
        if path is None:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(limit)


def git_env(home: str) -> dict:
    """No user or system configuration, no prompt, no LFS: only what we pass."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_ALLOW_PROTOCOL": "https:http:file" if settings.EVIDENCE_ALLOW_LOCAL else "https",
    }


def git_options(target: Target) -> list[str]:
    options = [
        "-c", "core.hooksPath=/dev/null",
        "-c", "core.symlinks=false",
        "-c", "core.fsmonitor=false",
        "-c", "credential.helper=",
        "-c", "http.followRedirects=false",
        "-c", "submodule.recurse=false",
        "-c", "protocol.allow=never",
        "-c", "protocol.https.allow=always",
        "-c", "filter.lfs.smudge=",
        "-c", "filter.lfs.process=",
        "-c", "filter.lfs.required=false",
    ]  # fmt: skip
    if settings.EVIDENCE_ALLOW_LOCAL:
        options += ["-c", "protocol.http.allow=always", "-c", "protocol.file.allow=always"]
    if target.addresses:
        # Pin git to the addresses we checked: a second DNS answer cannot redirect it.
        pinned = ",".join(f"[{a}]" if ":" in a else a for a in target.addresses)
        options += ["-c", f"http.curloptResolve={target.host}:{target.port}:{pinned}"]
    return options


def _limit_memory(pid: int) -> None:
    """Cap the address space of a started git process. Set from the parent (prlimit)
    rather than in a preexec_fn, which is unsafe in a threaded server."""
    limit = settings.EVIDENCE_MAX_MEMORY
    if limit:
        with suppress(ProcessLookupError, PermissionError):
            resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))


def _size(root: Path) -> tuple[int, int]:
    """Bytes and files under ``root``, symlinks not followed."""
    total = count = 0
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                count += 1
                with suppress(OSError):
                    total += entry.stat(follow_symlinks=False).st_size
    return total, count


def _too_large(watch: Path | None) -> Refusal | None:
    if watch is not None and _size(watch)[0] > settings.EVIDENCE_MAX_BYTES:
        return Refusal("too_large", f"> {settings.EVIDENCE_MAX_BYTES // 1_000_000} Mo")
    return None


def run_git(args: list[str], *, cwd: Path, env: dict, deadline: float, watch: Path | None = None):
    """Run git, killing its whole process group at the deadline or when ``watch`` grows
    past the size limit. Returns the completed process (stdout as bytes)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            process_group=0,
        )
        _limit_memory(process.pid)
        while process.poll() is None:
            timed_out = time.monotonic() > deadline
            refusal = Refusal("timeout") if timed_out else _too_large(watch)
            if refusal:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise refusal
            time.sleep(0.05)
        # Once more after the end: a fast download can finish between two looks.
        refusal = _too_large(watch)
        if refusal:
            raise refusal
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(args, process.returncode, out.read(), err.read())


def _last_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


WORK_PREFIXES = ("scan-", "read-")


def sweep_leftovers(older_than: timedelta) -> int:
    """Remove the clone folders of ``EVIDENCE_WORK_DIR`` (the system's temporary folder by
    default) untouched for longer than any scan may run: a worker killed mid-scan never
    ran the clean-up of ``clone``. Run by each scan, on the machine whose disk it is.
    Returns how many went."""
    root = settings.EVIDENCE_WORK_DIR or tempfile.gettempdir()
    limit = time.time() - older_than.total_seconds()
    swept = 0
    with suppress(OSError), os.scandir(root) as entries:
        for entry in entries:
            with suppress(OSError):
                if (
                    entry.name.startswith(WORK_PREFIXES)
                    and entry.is_dir(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < limit
                ):
                    shutil.rmtree(entry)
                    swept += 1
    return swept


@contextmanager
def clone(target: Target, *, now: datetime | None = None):
    """A checked-out Snapshot of ``target``, deleted when the block ends."""
    now = now or datetime.now(UTC)
    deadline = time.monotonic() + settings.EVIDENCE_TIMEOUT
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIXES[0], dir=settings.EVIDENCE_WORK_DIR))
    try:
        yield _clone_into(work, target, now=now, deadline=deadline)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _clone_into(work: Path, target: Target, *, now: datetime, deadline: float) -> Snapshot:
    env = git_env(str(work))
    options = git_options(target)
    repo = work / "repo"
    since = (now - timedelta(days=365)).strftime("%Y-%m-%d")
    base = [*options, "clone", "--quiet", "--template=", "--no-checkout", "--single-branch"]
    base += ["--filter=blob:none", "--", target.url, str(repo)]
    result = run_git(
        [*base[:-3], f"--shallow-since={since}", *base[-3:]],
        cwd=work,
        env=env,
        deadline=deadline,
        watch=work,
    )
    if result.returncode != 0 and b"shallow" in result.stderr:
        # No commit in the last year: the newest commit alone is the evidence.
        shutil.rmtree(repo, ignore_errors=True)
        result = run_git(
            [*base[:-3], "--depth=1", *base[-3:]], cwd=work, env=env, deadline=deadline, watch=work
        )
    if result.returncode != 0:
        stderr = _last_line(result.stderr)
        if "not found" in stderr or "not valid" in stderr or "repository" in stderr.lower():
            raise Refusal("not_git", stderr)
        raise Refusal("clone_failed", stderr)
    git = [*options, "-C", str(repo)]

    def call(*args, watch=None, check=True):
        done = run_git([*git, *args], cwd=work, env=env, deadline=deadline, watch=watch)
        if check and done.returncode != 0:
            raise Refusal("clone_failed", _last_line(done.stderr))
        return done.stdout

    head = call("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).decode().strip()
    if not head:
        raise Refusal("empty")
    listing = call("ls-tree", "-r", "-z", "--full-tree", "HEAD")
    files, symlinks = [], []
    for entry in filter(None, listing.split(b"\0")):
        meta, _tab, name = entry.partition(b"\t")
        mode = meta.split(b" ", 1)[0].decode()
        path = name.decode("utf-8", "replace")
        if mode == SUBMODULE:
            continue
        if mode == SYMLINK:
            symlinks.append(path)
        files.append(path)
    if len(files) > settings.EVIDENCE_MAX_FILES:
        raise Refusal("too_many_files", f"{len(files)} > {settings.EVIDENCE_MAX_FILES}")
    call("checkout", "--quiet", "HEAD", watch=work)
    log = call("log", "--use-mailmap", "--no-merges", "-z", "--format=%H%x1f%aN%x1f%aE%x1f%at")
    history = []
    for record in filter(None, log.split(b"\0")):
        sha, author, email, at = record.decode("utf-8", "replace").strip().split("\x1f")
        history.append(Commit(sha, author, email.lower(), datetime.fromtimestamp(int(at), UTC)))
    refs = call("for-each-ref", "refs/tags", "--format=%(refname:short)%1f%(creatordate:unix)")
    tags = []
    for line in refs.decode("utf-8", "replace").splitlines():
        name, _sep, at = line.partition("\x1f")
        if at.strip().isdigit():
            tags.append((name, datetime.fromtimestamp(int(at), UTC)))
    committed = call("show", "-s", "--format=%ct", "HEAD").decode().strip()
    return Snapshot(
        root=repo,
        url=target.url,
        commit=head,
        committed_at=datetime.fromtimestamp(int(committed), UTC),
        files=files,
        history=history,
        tags=tags,
        symlinks=symlinks,
    )


def read_root_file(
    target: Target, names: tuple[str, ...], *, limit: int, timeout: int
) -> tuple[str, bytes]:
    """``(name, content)`` of the first of ``names`` at the root of the default branch's
    newest commit, read without a checkout: a one-commit partial clone, then that blob
    alone, under the same safety as a scan (no hooks, no redirects, the pinned address,
    size and time limits). Raises Refusal, ``missing_file`` when none is there."""
    deadline = time.monotonic() + timeout
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIXES[1], dir=settings.EVIDENCE_WORK_DIR))
    try:
        env = git_env(str(work))
        options = git_options(target)
        repo = work / "repo"
        clone = [*options, "clone", "--quiet", "--template=", "--no-checkout", "--single-branch"]
        clone += ["--depth=1", "--filter=blob:none", "--", target.url, str(repo)]
        result = run_git(clone, cwd=work, env=env, deadline=deadline, watch=work)
        if result.returncode != 0:
            raise Refusal(
                "not_git" if b"not found" in result.stderr else "clone_failed",
                _last_line(result.stderr),
            )
        git = [*options, "-C", str(repo)]

        def call(*args):
            done = run_git([*git, *args], cwd=work, env=env, deadline=deadline, watch=work)
            if done.returncode != 0:
                raise Refusal("clone_failed", _last_line(done.stderr))
            return done.stdout

        listing = call("ls-tree", "-z", "HEAD", "--", *names)
        entries = {}
        for entry in filter(None, listing.split(b"\0")):
            meta, _tab, name = entry.partition(b"\t")
            mode, kind, blob = meta.decode().split(" ")
            if kind == "blob" and mode != SYMLINK:
                entries[name.decode("utf-8", "replace")] = blob
        name = next((name for name in names if name in entries), None)
        if name is None:
            raise Refusal("missing_file", ", ".join(names))
        size = int(call("cat-file", "-s", entries[name]).decode().strip() or 0)
        if size > limit:
            raise Refusal("too_large", f"{name} : {size} > {limit}")
        return name, call("cat-file", "blob", entries[name])
    finally:
        shutil.rmtree(work, ignore_errors=True)
