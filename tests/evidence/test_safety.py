"""Repositories are hostile input: each limit and refusal on its own, ending as a finished
scan with its reason (never a stuck scan, never an exception)."""

import os
import subprocess
import time
from pathlib import Path

import pytest

from evidence import safety
from evidence.errors import Refusal
from evidence.models import RepositoryScan
from evidence.services import running_limit, scan_repository

from .conftest import MIT, README, publish


@pytest.fixture
def scan(make_project, owner):
    def run(url: str) -> RepositoryScan:
        project = make_project(owner, repository_url=url)
        return scan_repository(project_id=project.pk)

    return run


def refused(scan: RepositoryScan, code: str) -> bool:
    assert scan.status == RepositoryScan.Status.REFUSED, scan.status
    assert scan.refusal_code == code, (scan.refusal_code, scan.refusal_reason)
    assert scan.refusal_reason
    assert scan.finished_at is not None
    failure = scan.results.get()
    return failure.check_code == "repository" and failure.outcome == "fail"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/kit.git", "private_address"),
        ("https://10.1.2.3/kit.git", "private_address"),
        ("https://192.168.0.10/kit.git", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/kit.git", "private_address"),
        ("https://[fd00:ec2::254]/kit.git", "private_address"),
        ("https://100.64.0.1/kit.git", "private_address"),
        ("https://user:secret@forge.example.org/kit.git", "credentials"),
        ("ssh://forge.example.org/kit.git", "scheme"),
        ("git://forge.example.org/kit.git", "scheme"),
        ("http://10.0.0.1/kit.git", "scheme"),
        ("https://[nonsense/kit.git", "bad_url"),
        ("https://no-such-host.invalid/kit.git", "unresolvable"),
    ],
)
def test_addresses_that_are_refused(url, code):
    with pytest.raises(Refusal) as refusal:
        safety.check_url(url)
    assert refusal.value.code == code


def test_production_refuses_local_addresses(settings):
    settings.EVIDENCE_ALLOW_LOCAL = False
    for url in ("file:///srv/kit.git", "http://127.0.0.1:8080/kit.git"):
        with pytest.raises(Refusal) as refusal:
            safety.check_url(url)
        assert refusal.value.code == "scheme"


def test_not_a_git_repository(scan, server):
    assert refused(scan(f"{server.base}/plain/kit.git"), "not_git")


def test_a_missing_repository(scan, server):
    assert refused(scan(server.url("nothing-here")), "not_git")


def test_a_hanging_server_times_out(scan, server, settings):
    settings.EVIDENCE_TIMEOUT = 2
    assert refused(scan(f"{server.base}/hang/kit.git"), "timeout")


def test_a_redirect_to_a_private_address_is_refused(scan, server):
    assert refused(scan(f"{server.base}/redirect/https://10.0.0.1/kit.git"), "redirect")


def test_a_redirect_to_an_allowed_address_is_followed(scan, server, new_repo):
    url = publish(new_repo, server, "safety-moved", {"LICENSE": MIT})
    done = scan(f"{server.base}/redirect/{url}")
    assert done.status == RepositoryScan.Status.DONE, done.refusal_reason
    assert done.results.get(check_code="licence").outcome == "pass"


def test_a_huge_repository_stops_at_the_size_limit(scan, server, new_repo, settings):
    settings.EVIDENCE_MAX_BYTES = 300_000
    url = publish(new_repo, server, "safety-huge", {"data.bin": os.urandom(2_000_000)})
    assert refused(scan(url), "too_large")


def test_too_many_files(scan, server, new_repo, settings):
    settings.EVIDENCE_MAX_FILES = 5
    files = {f"f{i}.txt": str(i) for i in range(10)}
    assert refused(scan(publish(new_repo, server, "safety-files", files)), "too_many_files")


def test_symlinks_are_never_followed_out_of_the_clone(server, new_repo, snapshot_of):
    repo = new_repo()
    repo.write("README.md", README)
    os.symlink("/etc/passwd", repo.path / "LICENSE")
    os.symlink("../../../../../../etc", repo.path / "docs")
    url = repo.commit().publish(server, "safety-symlink")
    snapshot = snapshot_of(url)
    assert sorted(snapshot.symlinks) == ["LICENSE", "docs"]
    for folder, dirs, files in os.walk(snapshot.root):
        for name in dirs + files:
            assert not os.path.islink(os.path.join(folder, name))
    # Checked out as a small file holding the link's text, not the file it names.
    assert snapshot.read("LICENSE") == b"/etc/passwd"


def test_file_names_that_are_not_utf8(scan, server, new_repo):
    files = {"README.md": README, b"caf\xe9.txt": "latin-1 name", b"bin\xff/x.exe": b"MZ"}
    done = scan(publish(new_repo, server, "safety-names", files))
    assert done.status == RepositoryScan.Status.DONE, done.refusal_reason
    binaries = done.results.get(check_code="binaries")
    assert binaries.outcome == "fail"
    assert binaries.value["files"] == ["bin\ufffd/x.exe"]


def test_the_clone_is_deleted_afterwards(scan, server, new_repo, settings, tmp_path):
    settings.EVIDENCE_WORK_DIR = str(tmp_path)
    done = scan(publish(new_repo, server, "safety-cleanup", {"LICENSE": MIT}))
    assert done.status == RepositoryScan.Status.DONE
    assert list(Path(tmp_path).iterdir()) == []
    settings.EVIDENCE_MAX_FILES = 0
    assert refused(scan(server.url("safety-cleanup")), "too_many_files")
    assert list(Path(tmp_path).iterdir()) == []


def test_folders_left_by_a_killed_worker_are_swept(scan, server, new_repo, settings, tmp_path):
    """A worker killed mid-scan never runs its clean-up; the next scan on that machine
    removes such folders once they are older than any scan may run."""
    settings.EVIDENCE_WORK_DIR = str(tmp_path)
    old = time.time() - 2 * running_limit().total_seconds()
    for name in ("scan-killed", "read-killed", "not-ours"):
        (tmp_path / name / "repo").mkdir(parents=True)
        os.utime(tmp_path / name, (old, old))
    (tmp_path / "scan-running-now").mkdir()
    done = scan(publish(new_repo, server, "safety-sweep", {"LICENSE": MIT}))
    assert done.status == RepositoryScan.Status.DONE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-ours", "scan-running-now"]


def test_an_empty_repository(scan, server):
    subprocess.run(
        ["git", "init", "-q", "--bare", str(server.root / "safety-empty.git")], check=True
    )
    assert refused(scan(server.url("safety-empty")), "empty")


def test_git_runs_under_the_memory_limit(scan, server, new_repo, settings):
    url = publish(new_repo, server, "safety-memory", {"LICENSE": MIT})
    settings.EVIDENCE_MAX_MEMORY = 8_000_000  # far too little for git to clone anything
    done = scan(url)
    assert done.status == RepositoryScan.Status.REFUSED
    assert done.refusal_code in {"clone_failed", "not_git"}
