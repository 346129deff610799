"""Every arrow points down, reversed URL names too: an app names only its own URLs and
those of the apps below it in the layers of the import contract (``pyproject.toml``). The
site's wiring (``incubator``) says where the pages above are (``ABSOLUTE_URL_OVERRIDES``,
``PAGE_URLS``).

The source of each app (its Python modules and templates, migrations aside) is read for
the names it reverses (``reverse``, ``reverse_lazy``, ``redirect``, ``{% url %}``,
``view_name=``); each name is looked up in the site's URLs to find the app that defines it.
"""

import re
import tomllib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(
    r"""(?:\breverse(?:_lazy)?\(|\bredirect\(|\{%\s*url\s+|\bview_name=)\s*["']([\w:.-]+)["']"""
)


def layers() -> list[set[str]]:
    """The layers of the contract "Every arrow points down", top first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]


def defined_names() -> dict[str, str]:
    """Every URL name of the site (with its namespaces) and the package that defines it:
    the module of the URLconf that names it, or for a list of patterns included as is, the
    module of its view."""
    found = {}

    def walk(patterns, prefix, module):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.urlconf_module
                owner = inner.__name__ if hasattr(inner, "__name__") else None
                space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                walk(entry.url_patterns, space, owner)
            elif isinstance(entry, URLPattern) and entry.name:
                owner = module or getattr(entry.callback, "__module__", "")
                found.setdefault(prefix + entry.name, owner.split(".")[0])

    walk(get_resolver().url_patterns, "", "incubator")
    return found


def reversed_names(app: str):
    """``(file, name)`` for each literal URL name the app's source reverses."""
    for path in sorted((ROOT / app).rglob("*")):
        if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
            continue
        for name in NAMED.findall(path.read_text(encoding="utf-8")):
            yield path.relative_to(ROOT), name


def test_the_scan_sees_what_it_checks():
    """The scan finds a reversal known to be there, and the owner of its name."""
    names = defined_names()
    assert names["interop:stage_feed"] == "interop"
    assert names["frontend:portfolio"] == "frontend"
    assert ("interop/feeds.py", "interop:stage_feed") in {
        (str(path), name) for path, name in reversed_names("interop")
    }


def test_no_app_reverses_a_url_name_of_an_app_above_it():
    order = layers()
    rank = {app: n for n, layer in enumerate(order) for app in layer}
    names = defined_names()
    upward = []
    for app in rank:
        for path, name in reversed_names(app):
            owner = names.get(name)
            if owner is None or owner == app or owner not in rank | {"incubator": -1}:
                continue  # a name of Django or a library, or the app's own
            if owner == "incubator" or rank[owner] <= rank[app]:
                upward.append(f"{path}: {name} ({owner})")
    assert upward == []
