"""Community files, after repolinter's rule list: README with install and usage sections,
CONTRIBUTING, CODE_OF_CONDUCT, GOVERNANCE, SECURITY with a contact, CHANGELOG, a CI
configuration, a tests folder, no committed binaries."""

import re

from . import failed, passed
from .files import decode, find, headings

INSTALL = re.compile(r"install|d[ée]ploi|deploy|mise en place|getting started|d[ée]marrage")
USAGE = re.compile(r"usage|utilis|how to use|getting started|quick ?start|d[ée]marrage|exemple")


def _present(snapshot, stems: tuple[str, ...]):
    name = find(snapshot.files, stems)
    if name is None:
        return failed({"error": "missing"})
    text = decode(snapshot.read(name))
    if text is None:
        return failed({"error": "binary"}, path=name)
    if not text.strip():
        return failed({"error": "empty"}, path=name)
    return passed({"file": name}, path=name)


def check_readme(snapshot):
    """A README with an installation section and a usage section."""
    name = find(snapshot.files, ("readme",), places=("",))
    if name is None:
        return failed({"error": "missing"})
    text = decode(snapshot.read(name))
    if text is None:
        return failed({"error": "binary"}, path=name)
    titles = headings(text)
    install = next((line for title, line in titles if INSTALL.search(title)), None)
    usage = next((line for title, line in titles if USAGE.search(title)), None)
    value = {"install_section": install is not None, "usage_section": usage is not None}
    if install is None or usage is None:
        return failed({**value, "error": "sections"}, path=name)
    return passed(value, path=name, line=install)


def check_contributing(snapshot):
    return _present(snapshot, ("contributing", "contribuer", "contribution", "contributions"))


def check_code_of_conduct(snapshot):
    return _present(snapshot, ("code_of_conduct", "code-of-conduct", "conduct"))


def check_governance(snapshot):
    return _present(snapshot, ("governance", "gouvernance"))


CONTACT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://\S+", re.I)


def check_security(snapshot):
    """A security policy that says whom to tell: an e-mail address or a link."""
    name = find(snapshot.files, ("security", "securite", "sécurité"))
    if name is None:
        return failed({"error": "missing"})
    text = decode(snapshot.read(name))
    if text is None:
        return failed({"error": "binary"}, path=name)
    match = CONTACT.search(text)
    if match is None:
        return failed({"error": "no_contact"}, path=name)
    line = text.count("\n", 0, match.start()) + 1
    return passed({"contact": match.group(0)[:200]}, path=name, line=line)


def check_changelog(snapshot):
    return _present(snapshot, ("changelog", "changes", "history", "news", "releases"))


CI_FILES = re.compile(
    r"^(\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.forgejo/workflows/[^/]+\.ya?ml"
    r"|\.gitea/workflows/[^/]+\.ya?ml|\.woodpecker\.ya?ml|\.woodpecker/[^/]+\.ya?ml"
    r"|\.builds/[^/]+\.ya?ml|\.build\.ya?ml|\.circleci/config\.ya?ml|\.travis\.ya?ml"
    r"|Jenkinsfile|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|\.drone\.ya?ml)$"
)


def check_ci(snapshot):
    """A continuous-integration configuration of a known forge or service."""
    found = sorted(name for name in snapshot.files if CI_FILES.match(name))
    if not found:
        return failed({"error": "missing"})
    return passed({"files": found[:10]}, path=found[0])


TEST_DIR = re.compile(r"(^|/)(tests?|specs?|__tests__|testing)/", re.I)
TEST_FILE = re.compile(r"(^|/)(test_[^/]+\.py|[^/]+_test\.(py|go)|[^/]+\.(test|spec)\.[jt]sx?)$")


def check_tests(snapshot):
    """A tests folder (or test files where the language keeps them beside the code)."""
    found = next(
        (name for name in snapshot.files if TEST_DIR.search(name) or TEST_FILE.search(name)),
        None,
    )
    if found is None:
        return failed({"error": "missing"})
    folder = TEST_DIR.search(found)
    return passed({"example": found}, path=found[: folder.end()] if folder else found)


BINARY_EXTENSIONS = re.compile(
    r"\.(exe|dll|so|dylib|o|a|obj|lib|class|jar|war|ear|pyc|pyo|elf|bin|msi|apk|dmg)$", re.I
)
MAGIC = (b"\x7fELF", b"MZ\x90\x00", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe")


def check_binaries(snapshot):
    """No compiled binaries committed: by extension, then by the first bytes of each file."""
    found = [name for name in snapshot.files if BINARY_EXTENSIONS.search(name)]
    for name in snapshot.files:
        if len(found) >= 20:
            break
        head = snapshot.read(name, 4) if name not in found else None
        if head and head.startswith(MAGIC):
            found.append(name)
    if found:
        return failed({"files": found[:20], "count": len(found)}, path=found[0])
    return passed({"count": 0})
