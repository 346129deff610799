"""Links to a file at a commit, for the forges whose URL pattern is known."""

from urllib.parse import quote, urlsplit


def _kind(host: str) -> str | None:
    host = host.lower()
    if host == "github.com":
        return "github"
    if host == "git.sr.ht":
        return "sourcehut"
    if host in {"codeberg.org", "gitea.com"} or "forgejo" in host or "gitea" in host:
        return "forgejo"
    if "gitlab" in host or host.startswith("forge.") or host.endswith(".forge"):
        return "gitlab"
    return None


def file_url(repository_url: str, commit: str, path: str, line: int | None = None) -> str:
    """The page of ``path`` at ``commit`` on the repository's forge, or "" if unknown."""
    parts = urlsplit(repository_url)
    if parts.scheme != "https" or not commit or not path:
        return ""
    kind = _kind(parts.hostname or "")
    if kind is None:
        return ""
    base = f"https://{parts.netloc}{parts.path.rstrip('/').removesuffix('.git')}"
    quoted = quote(path)
    anchor = f"#L{line}" if line else ""
    return {
        "github": f"{base}/blob/{commit}/{quoted}{anchor}",
        "gitlab": f"{base}/-/blob/{commit}/{quoted}{anchor}",
        "forgejo": f"{base}/src/commit/{commit}/{quoted}{anchor}",
        "sourcehut": f"{base}/tree/{commit}/item/{quoted}{anchor}",
    }[kind]
