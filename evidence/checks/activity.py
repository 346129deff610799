"""Activity and community, read from the clone's year of history (``.mailmap`` honoured by
``git log --use-mailmap``): OpenSSF Scorecard's "Maintained" and "Contributors", CHAOSS's
release frequency and contributor absence factor."""

from datetime import datetime, timedelta

from . import failed, not_applicable, passed

# Addresses that say nothing about an organisation.
PERSONAL_DOMAINS = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.fr", "live.com",
    "live.fr", "yahoo.com", "yahoo.fr", "icloud.com", "me.com", "protonmail.com",
    "proton.me", "pm.me", "gmx.com", "gmx.de", "gmx.fr", "free.fr", "orange.fr", "laposte.net",
    "wanadoo.fr", "sfr.fr", "posteo.de", "posteo.net", "riseup.net", "tutanota.com",
    "users.noreply.github.com", "noreply.github.com", "users.noreply.gitlab.com",
    "noreply.codeberg.org", "localhost", "example.com",
}  # fmt: skip
MAINTAINED_WEEKS = 13


def _since(snapshot, now: datetime, days: int):
    start = now - timedelta(days=days)
    return [commit for commit in snapshot.history if commit.at >= start]


def activity_figures(snapshot, now: datetime) -> dict:
    quarter = _since(snapshot, now, 90)
    year = _since(snapshot, now, 365)
    weeks = {(now - commit.at).days // 7 for commit in quarter}
    return {
        "commits_90d": len(quarter),
        "authors_90d": len({c.email or c.author for c in quarter}),
        "commits_365d": len(year),
        "authors_365d": len({c.email or c.author for c in year}),
        "active_weeks_90d": len(weeks),
        "last_commit_days": max(0, (now - snapshot.committed_at).days),
    }


def check_activity(snapshot, now: datetime):
    """Pass with at least one commit in the last 90 days; the value carries the figures
    (Scorecard's "Maintained" counts the active weeks among the last 13)."""
    figures = activity_figures(snapshot, now)
    return passed(figures) if figures["commits_90d"] else failed(figures)


def check_releases(snapshot, now: datetime):
    """Pass with at least one tag in the last year."""
    start = now - timedelta(days=365)
    recent = sorted((at, name) for name, at in snapshot.tags if at >= start)
    value = {"tags_365d": len(recent), "latest": recent[-1][1] if recent else None}
    return passed(value) if recent else failed(value)


def absence_factor(snapshot, now: datetime) -> tuple[int, int]:
    """The fewest authors who made half the year's commits, and the number of commits."""
    counts: dict[str, int] = {}
    for commit in _since(snapshot, now, 365):
        key = commit.email or commit.author
        counts[key] = counts.get(key, 0) + 1
    total = sum(counts.values())
    made = factor = 0
    for count in sorted(counts.values(), reverse=True):
        if made * 2 >= total:
            break
        made += count
        factor += 1
    return factor, total


def check_absence_factor(snapshot, now: datetime):
    """Pass when at least two people made half of the year's commits: one absence alone
    does not stop the project."""
    factor, total = absence_factor(snapshot, now)
    if total == 0:
        return not_applicable({"commits_365d": 0})
    value = {"absence_factor": factor, "commits_365d": total}
    return passed(value) if factor >= 2 else failed(value)


def check_organisations(snapshot, now: datetime):
    """Pass with contributors from at least three organisations over the year, told apart
    by their e-mail domain (personal providers and no-reply addresses do not count)."""
    domains = set()
    for commit in _since(snapshot, now, 365):
        domain = commit.email.rpartition("@")[2].strip(">").lower()
        if domain and domain not in PERSONAL_DOMAINS:
            domains.add(domain)
    value = {"organisations": len(domains), "domains": sorted(domains)[:20]}
    if not _since(snapshot, now, 365):
        return not_applicable(value)
    return passed(value) if len(domains) >= 3 else failed(value)
