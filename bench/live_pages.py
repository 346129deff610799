"""Browser-to-browser latency of the live project page, per kind of change.

One Daphne process on 127.0.0.1 (SQLite in a temporary folder, the in-memory channel
layer: the embedded default), Debian's Chromium driven by Playwright. Viewers (signed-in
people, each in its own browser context) hold the page of a project open; an actor in
another browser makes a change through the page's own forms. Each sample runs from just
before the actor's form is submitted to the moment the change is on the screen of the
last viewer (a MutationObserver in each viewer's page notes when it appears):

- ``comment``: the actor posts a message (the comment form posts in the background);
- ``verification``: a reviewer verifies a checklist item;
- ``stage``: the last approval of a review moves the project to the next stage.

The workflow's forms post in the background (their page stays, and the change reaches it
through the socket, as it reaches the viewers'); in a tree from before that, the actor's
page reloads, and the benchmark waits for it before the next sample. ``--server`` serves
another checkout (a ``git worktree`` of the commit to compare with, with the same
migrations) on the data this tree writes, for side-by-side runs.

    .venv/bin/python bench/live_pages.py                     # 3 viewers, 20 samples per kind
    .venv/bin/python bench/live_pages.py --viewers 1 --samples 40
    .venv/bin/python bench/live_pages.py --server /path/to/a/checkout/of/main
"""

import argparse
import contextlib
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from daphne_server import CHROMIUM, CHROMIUM_ARGS, free_port, setup_django, start_server

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1234"

# Notes, in each viewer's page, the epoch time (ms) at which ``check`` first holds.
WATCH = """([key, check]) => {
  window.seen = window.seen || {};
  const test = new Function(check);
  const note = () => {
    if (key in window.seen || !test()) return;
    window.seen[key] = performance.timeOrigin + performance.now();
  };
  const all = {subtree: true, childList: true, characterData: true, attributes: true};
  new MutationObserver(note).observe(document.body, all);
  note();
}"""

# Submits a form of the actor's page and returns the epoch time (ms) just before.
SUBMIT = """(selector) => {
  const form = document.querySelector(selector);
  const started = performance.timeOrigin + performance.now();
  form.requestSubmit();
  return started;
}"""


def make_people(viewers: int):
    from django.contrib.auth.models import Group, User

    def person(name, *groups):
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD, first_name=name)
        for group in groups:
            user.groups.add(Group.objects.get(name=group))
        return user

    return {
        "owner": person("porteuse"),
        "reviewer": person("relectrice", "reviewers"),
        "viewers": [person(f"lectrice{n}", "funders") for n in range(viewers)],
    }


def make_project(people, n: int, **state):
    """Built in another thread: Playwright keeps an event loop in this one, where the
    broadcast after commit (``async_to_sync``) may not run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_make_project, people, n, **state).result()


def _make_project(people, n: int, *, attested: bool, verified: bool, review: bool):
    from workflows import gates, services

    owner, reviewer = people["owner"], people["reviewer"]
    project = services.propose_project(by=owner, title=f"Banc {n}", summary="Mesure.")
    gate = gates.next_gate(project)
    for item in gates.checklist_for(project, gate):
        if not item.required or not attested:
            continue
        services.attest_item(
            by=owner, item=item, evidence_url="https://forge.example.org/kit", evidence_text="Ok."
        )
        if verified:
            services.verify_item(by=reviewer, item=item)
    if review:
        services.open_review(by=owner, project=project)
    return project


def sign_in(browser, base_url: str, user):
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


def open_live(page, project) -> None:
    page.goto(f"/projects/{project.pk}/")
    page.wait_for_selector("#project[data-live='connected']")


def reloads(page, form: str):
    """Waits for the actor's page to reload after ``form`` is sent, unless the form posts in
    the background."""
    if page.locator(form).evaluate("form => form.hasAttribute('data-live-form')"):
        return contextlib.nullcontext()
    return page.expect_navigation()


def arrival(viewers, key: str, check: str) -> None:
    for page in viewers:
        page.evaluate(WATCH, [key, check])


def latest(viewers, key: str) -> float:
    times = []
    for page in viewers:
        page.wait_for_function("key => window.seen && key in window.seen", arg=key)
        times.append(page.evaluate("key => window.seen[key]", key))
    return max(times)


def measure_comments(pages, project, samples: int) -> list[float]:
    actor, viewers = pages["owner"], pages["viewers"]
    for page in (actor, *viewers):
        open_live(page, project)
    results = []
    for n in range(samples):
        marker = f"mesure-{n}-{time.time_ns()}"
        check = f"return document.getElementById('comments').textContent.includes('{marker}')"
        arrival(viewers, marker, check)
        actor.fill("#id_comment-body", marker)
        started = actor.evaluate(SUBMIT, "#comment-form")
        results.append(latest(viewers, marker) - started)
        actor.wait_for_function("() => document.getElementById('id_comment-body').value === ''")
    return results


def measure_verifications(pages, people, samples: int) -> list[float]:
    from workflows import gates

    actor, viewers = pages["reviewer"], pages["viewers"]
    results = []
    n = 0
    while len(results) < samples:
        n += 1
        project = make_project(people, 1000 + n, attested=True, verified=False, review=True)
        for page in (actor, *viewers):
            open_live(page, project)
        for item in gates.checklist_for(project, gates.next_gate(project)).filter(required=True):
            if len(results) >= samples:
                break
            key = f"item-{item.pk}"
            check = f"return !!document.querySelector('#item-{item.pk}[data-status=verified]')"
            arrival(viewers, key, check)
            form = f"#item-{item.pk} form[action$='/verify/']"
            with reloads(actor, form):
                started = actor.evaluate(SUBMIT, form)
            results.append(latest(viewers, key) - started)
            actor.wait_for_selector(f"#item-{item.pk}[data-status=verified]")
            actor.wait_for_selector("#project[data-live='connected']")
    return results


def measure_stages(pages, people, samples: int) -> list[float]:
    actor, viewers = pages["reviewer"], pages["viewers"]
    results = []
    for n in range(samples):
        project = make_project(people, 2000 + n, attested=True, verified=True, review=True)
        for page in (actor, *viewers):
            open_live(page, project)
        key = f"stage-{project.pk}"
        arrival(viewers, key, "return !!document.querySelector('#stage[data-stage=prototype]')")
        actor.click("label[for='id_decide-verdict_0']")  # the design system's radio
        actor.fill("#id_decide-rationale", "Mesure.")
        with reloads(actor, "#decide-form"):
            started = actor.evaluate(SUBMIT, "#decide-form")
        results.append(latest(viewers, key) - started)
        actor.wait_for_selector("#stage[data-stage=prototype]")
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(kind: str, values: list[float]) -> None:
    print(
        f"| {kind} | {len(values)} | {statistics.median(values):.0f} | "
        f"{percentile(values, 0.95):.0f} | {max(values):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=3)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--kinds", default="comment,verification,stage")
    parser.add_argument("--server", type=Path, default=ROOT, help="the checkout to serve")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-live-") as data_dir:
        setup_django(data_dir, async_unsafe=True)
        people = make_people(options.viewers)
        port = free_port()
        server = start_server(port, data_dir, root=options.server.resolve())
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                base = f"http://127.0.0.1:{port}"
                pages = {
                    "owner": sign_in(browser, base, people["owner"]),
                    "reviewer": sign_in(browser, base, people["reviewer"]),
                    "viewers": [sign_in(browser, base, user) for user in people["viewers"]],
                }
                kinds = options.kinds.split(",")
                print(f"{options.viewers} viewers, latency to the last viewer (ms)\n")
                print("| kind | samples | p50 | p95 | max |\n| --- | --- | --- | --- | --- |")
                if "comment" in kinds:
                    project = make_project(people, 1, attested=False, verified=False, review=False)
                    report("comment", measure_comments(pages, project, options.samples))
                if "verification" in kinds:
                    report("verification", measure_verifications(pages, people, options.samples))
                if "stage" in kinds:
                    report("stage change", measure_stages(pages, people, options.samples))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
