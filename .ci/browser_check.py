#!/usr/bin/env python3
"""Load every page of the built book in headless Chromium and check it renders.

Serves the HTML folder (default ``_build/html``) on 127.0.0.1 with the standard
library's http.server and drives Debian's Chromium through Playwright (no
Playwright-downloaded browser). For each page it checks:

* no uncaught JavaScript exception and no console error;
* no failed or 4xx/5xx request, and no request to any host but the local server
  (such requests are blocked); no script, image or stylesheet URL in the HTML
  points off the machine;
* every ``<img>`` loaded (``naturalWidth > 0``);
* every math element was typeset by MathJax (contains ``mjx-container``) and no
  raw ``$$`` is left in the text outside code;
* every saved ipywidgets view was rendered;
* the page-specific CSS selectors in EXPECTATIONS (or given with --expect) match.

One full-page PNG per page goes to ``_build/screenshots/``. Prints one line per
page and exits non-zero if any page fails.

Usage: python .ci/browser_check.py [HTML_DIR] [--screenshots DIR] [--expect PAGE=SELECTOR]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

# (page relative to the HTML folder, CSS selector that must match on it).
# The grid-score chapter carries the interactive unit browser; its static
# rendering (saved widget state or pre-rendered gallery) must carry this class.
EXPECTATIONS: list[tuple[str, str]] = [
    ("book/06_grid_scores.html", ".gridcore-unit-browser"),
]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PAGE_TIMEOUT_MS = 30_000
SETTLE_TIMEOUT_MS = 15_000

# Runs in the page once it has loaded; returns what the checks need.
PAGE_PROBE = """
async (settleMs) => {
  const deadline = Date.now() + settleMs;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const withTimeout = (p) => Promise.race([p, sleep(Math.max(0, deadline - Date.now()))]);

  // Images: force lazy ones to load, then wait for all of them.
  for (const img of document.images) img.loading = "eager";
  await withTimeout(Promise.all([...document.images].map((img) =>
    img.complete ? null : new Promise((r) => { img.addEventListener("load", r);
                                               img.addEventListener("error", r); }))));

  // MathJax: wait for the initial typeset.
  const mathEls = [...document.querySelectorAll(".math")];
  if (mathEls.length) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) &&
           Date.now() < deadline) await sleep(50);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise)
      await withTimeout(MathJax.startup.promise);
  }

  // Saved widget views: wait until the html-manager rendered each one.
  const views = [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')];
  const rendered = () => views.filter((s) => {
    const prev = s.previousElementSibling;
    return prev && prev.classList.contains("widget-subarea") && prev.children.length > 0;
  }).length;
  while (views.length && rendered() < views.length && Date.now() < deadline) await sleep(100);

  const clone = document.body.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, textarea").forEach((e) => e.remove());
  const images = [...document.images].map((img) => ({
    src: img.getAttribute("src") || "", ok: img.complete && img.naturalWidth > 0 }));
  return {
    images,
    math: mathEls.length,
    mathTypeset: mathEls.filter((e) => e.querySelector("mjx-container")).length,
    rawDollars: clone.textContent.includes("$$"),
    views: views.length,
    viewsRendered: rendered(),
  };
}
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


def start_server(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def list_pages(root: Path) -> list[str]:
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP_DIRS:
            continue
        pages.append(rel.as_posix())
    return pages


EXTERNAL_ASSET = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc=[\"']https?://[^\"']*"
    r"|<link\b[^>]*\bhref=[\"']https?://[^\"']*\.(?:css|js)\b[^\"']*",
    re.IGNORECASE,
)


def check_page(
    context, base: str, page_path: str, shot_dir: Path, expectations
) -> tuple[list[str], str]:
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JS exception: {exc}"))

    def on_console(msg):
        if msg.type == "error":
            problems.append(f"console error: {msg.text}")

    def on_response(resp):
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url.removeprefix(base)}")

    def on_failed(req):
        if urlsplit(req.url).hostname in LOCAL_HOSTS:
            problems.append(f"request failed: {req.url.removeprefix(base)} ({req.failure})")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    try:
        page.goto(f"{base}/{page_path}", wait_until="load", timeout=PAGE_TIMEOUT_MS)
        try:
            page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT_MS)
        except Exception:
            problems.append("network did not settle")
        info = page.evaluate(PAGE_PROBE, SETTLE_TIMEOUT_MS)
        for img in info["images"]:
            if not img["ok"]:
                problems.append(f"image did not load: {img['src']}")
        if info["math"] and info["mathTypeset"] < info["math"]:
            problems.append(f"math not typeset: {info['mathTypeset']}/{info['math']}")
        if info["rawDollars"]:
            problems.append("raw $$ left in the page text")
        if info["viewsRendered"] < info["views"]:
            problems.append(f"widgets not rendered: {info['viewsRendered']}/{info['views']}")
        for want_page, selector in expectations:
            if want_page == page_path and page.locator(selector).count() == 0:
                problems.append(f"expected element missing: {selector}")
        shot = shot_dir / (page_path.replace("/", "__").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot), full_page=True)
        summary = (
            f"imgs={len(info['images'])} math={info['mathTypeset']}/{info['math']} "
            f"widgets={info['viewsRendered']}/{info['views']}"
        )
    except Exception as exc:  # navigation timeout, crash ...
        problems.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        summary = ""
    finally:
        page.close()
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", nargs="?", default="_build/html")
    parser.add_argument("--screenshots", default="_build/screenshots")
    parser.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="PAGE=SELECTOR",
        help="extra (page, CSS selector) expectation; repeatable",
    )
    parser.add_argument(
        "--chromium",
        default=os.environ.get("CHROMIUM", DEFAULT_CHROMIUM),
        help=f"Chromium executable, or 'playwright' for Playwright's own Chromium "
        f"(default: $CHROMIUM or {DEFAULT_CHROMIUM}; .ci/find_browser.sh picks one)",
    )
    args = parser.parse_args(argv)

    root = Path(args.html_dir)
    if not root.is_dir():
        print(f"browser check: {root} does not exist; build the book first", file=sys.stderr)
        return 2
    bundled = args.chromium == "playwright"
    if not bundled and not Path(args.chromium).exists():
        print(
            f"browser check: {args.chromium} not found (apt-get install -y chromium, "
            "or python -m playwright install chromium and --chromium playwright)",
            file=sys.stderr,
        )
        return 2
    expectations = list(EXPECTATIONS)
    for item in args.expect:
        page_path, sep, selector = item.partition("=")
        if not sep or not selector:
            parser.error(f"--expect {item!r}: use PAGE=SELECTOR")
        expectations.append((page_path, selector))

    pages = list_pages(root)
    if not pages:
        print(f"browser check: no HTML pages under {root}", file=sys.stderr)
        return 2
    missing = sorted({p for p, _ in expectations} - set(pages))
    shot_dir = Path(args.screenshots)
    shutil.rmtree(shot_dir, ignore_errors=True)
    shot_dir.mkdir(parents=True)

    from playwright.sync_api import sync_playwright

    server, base = start_server(root)
    failures = 0
    blocked: list[str] = []

    def route(route_, request):
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob") or url.hostname in LOCAL_HOSTS:
            route_.continue_()
        else:
            blocked.append(request.url)
            route_.abort("blockedbyclient")

    try:
        with sync_playwright() as pw:
            executable = {} if bundled else {"executable_path": args.chromium}
            browser = pw.chromium.launch(headless=True, args=CHROMIUM_ARGS, **executable)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", route)
            for page_path in pages:
                start = time.perf_counter()
                blocked.clear()
                problems, summary = check_page(context, base, page_path, shot_dir, expectations)
                problems += [f"external request blocked: {u}" for u in blocked]
                source = (root / page_path).read_text(encoding="utf-8", errors="replace")
                problems += [f"external asset in HTML: {m}" for m in EXTERNAL_ASSET.findall(source)]
                took = time.perf_counter() - start
                if problems:
                    failures += 1
                    print(f"FAIL {page_path} ({took:.1f} s): " + "; ".join(problems), flush=True)
                else:
                    print(f"ok   {page_path} {summary} ({took:.1f} s)", flush=True)
            browser.close()
    finally:
        server.shutdown()
    for page_path in missing:
        failures += 1
        print(f"FAIL {page_path}: page expected by a check does not exist")
    passed = len(pages) - (failures - len(missing))
    print(f"screenshots: {shot_dir}/")
    print(f"browser: {passed} passed, {failures} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
