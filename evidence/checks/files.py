"""Finding the conventional files of a repository, case-insensitively, where forges look."""

import re

# Where GitHub, GitLab and Forgejo look for community files.
PLACES = ("", "docs/", ".github/", ".gitlab/", ".forgejo/", ".gitea/")
EXTENSIONS = ("", ".md", ".markdown", ".rst", ".txt", ".adoc", ".org")


def find(files: list[str], stems: tuple[str, ...], places=PLACES) -> str | None:
    """The first of ``files`` named one of ``stems`` (any usual extension) in ``places``."""
    wanted = {
        f"{place}{stem}{ext}".lower(): rank
        for rank, (place, stem, ext) in enumerate(
            (place, stem, ext) for place in places for stem in stems for ext in EXTENSIONS
        )
    }
    found = [(wanted[name.lower()], name) for name in files if name.lower() in wanted]
    return min(found)[1] if found else None


def decode(content: bytes | None) -> str | None:
    """Text of a file, or None when it is binary (NUL bytes) or not UTF-8/Latin text."""
    if content is None or b"\0" in content[:8192]:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


HEADING = re.compile(r"^(?:#{1,6}\s*(.+?)\s*#*\s*$|(.+)\n(?:=+|-+)\s*$|=+\s*(.+?)\s*=*$)", re.M)


def headings(text: str) -> list[tuple[str, int]]:
    """Markdown (ATX and setext), reStructuredText/AsciiDoc headings with their line."""
    out = []
    for match in HEADING.finditer(text):
        title = next(group for group in match.groups() if group)
        out.append((title.strip().lower(), text.count("\n", 0, match.start()) + 1))
    return out
