"""Full page loads in a browser: the project page and the portfolio, cold and warm.

Each tree compared (this one, and ``--base`` for another checkout of the incubator, e.g. a
``git worktree`` of the commit to compare with) gets its own Daphne process on 127.0.0.1
with the demo data (``manage.py seed_demo``) in a temporary SQLite database, started as
`make run` starts it (``DEBUG=1``, static files from its own ``collectstatic``). Debian's
Chromium, driven by Playwright, loads each page as the demo reviewer (signed in by cookie):

- ``cold``: a fresh browser context (empty cache) per load;
- ``warm``: the same page again in the context that just loaded it.

A sample is the navigation timing's ``loadEventEnd`` (from the start of the navigation to
the end of the load event: HTML, styles, scripts, fonts and images). Trees and pages are
interleaved within each run, so that the machine's load weighs on both alike.

    .venv/bin/python bench/pages.py --runs 15
    .venv/bin/python bench/pages.py --runs 15 --base /path/to/a/checkout/of/main
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from daphne_server import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_server

READER, READER_PASSWORD = "relecteur", "relecteur-demo-nec"
LOAD_TIME = """() => {
  const [nav] = performance.getEntriesByType("navigation");
  return nav.loadEventEnd - nav.startTime;
}"""


def prepare(tree: Path, data_dir: str) -> None:
    """The demo data of ``tree``, written by its own code."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATA_DIR"] = data_dir
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=tree,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def project_path(data_dir: str) -> str:
    """The demo project with the longest page: the one with the most checklist items."""
    import sqlite3

    with sqlite3.connect(Path(data_dir) / "incubator.sqlite3") as db:
        (pk,) = db.execute(
            "SELECT project_id FROM workflows_checklistitem GROUP BY project_id "
            "ORDER BY COUNT(*) DESC, project_id LIMIT 1"
        ).fetchone()
    return f"/projects/{pk}/"


def session_cookie(browser, base_url: str) -> dict:
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", READER)
    page.fill("#id_password", READER_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    [cookie] = [c for c in context.cookies() if c["name"] == "sessionid"]
    context.close()
    return cookie


def load_twice(browser, base_url: str, cookie: dict, path: str) -> tuple[float, float]:
    """A cold load in a fresh context, then a warm one in the same context."""
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    context.add_cookies([cookie])
    page = context.new_page()
    timings = []
    for _ in range(2):
        page.goto(path, wait_until="load")
        timings.append(page.evaluate(LOAD_TIME))
        page.goto("about:blank")
    context.close()
    return timings[0], timings[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--base", type=Path, help="another checkout to compare with")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = {"this tree": ROOT}
    if options.base:
        trees["base"] = options.base.resolve()
    servers, sites = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        try:
            for name, tree in trees.items():
                data_dir = tempfile.mkdtemp(dir=tmp)
                prepare(tree, data_dir)
                port = free_port()
                servers.append(start_server(port, data_dir, root=tree, DEBUG="1"))
                sites[name] = (f"http://127.0.0.1:{port}", project_path(data_dir))
            samples = {}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cookies = {name: session_cookie(browser, url) for name, (url, _) in sites.items()}
                for name, (url, project) in sites.items():  # one load each to warm the server
                    for path in (project, "/portfolio/"):
                        load_twice(browser, url, cookies[name], path)
                for _ in range(options.runs):
                    for name, (url, project) in sites.items():
                        for page, path in (("project page", project), ("portfolio", "/portfolio/")):
                            cold, warm = load_twice(browser, url, cookies[name], path)
                            samples.setdefault((name, page, "cold"), []).append(cold)
                            samples.setdefault((name, page, "warm"), []).append(warm)
                browser.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    print(f"{options.runs} interleaved runs, loadEventEnd (ms)\n")
    print("| tree | page | cache | p50 | p95 | max |\n| --- | --- | --- | --- | --- | --- |")
    for (name, page, cache), values in sorted(samples.items(), key=lambda kv: kv[0][1:]):
        print(
            f"| {name} | {page} | {cache} | {statistics.median(values):.0f} | "
            f"{percentile(values, 0.95):.0f} | {max(values):.0f} |"
        )


if __name__ == "__main__":
    main()
