"""Shared fixtures for the report and inspector tests: a small run with hostile text, a running
inspector, and a headless Chromium driven by Selenium (installed with apt when missing and root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"
HOSTILE_ID = 'evil<i>id"'
HOSTILE_LINES = ['<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned=2">']


@pytest.fixture(scope="session")
def web_run(tmp_path_factory) -> Path:
    """`tamis clean` over the sample corpus plus: an article holding markup, a short page of markup
    (rejected), an exact copy of a sample page (rejected as duplicate) and a line that is not JSON."""
    from tamis.cli import main

    root = tmp_path_factory.mktemp("webrun")
    records = [{"id": p.stem, "text": p.read_text("utf-8")} for p in sorted(SAMPLE.glob("*.txt"))]
    article = (SAMPLE / "en-01-news.txt").read_text("utf-8").split("\n")
    middle = len(article) // 2
    records.append({"id": HOSTILE_ID, "text": "\n".join(article[:middle] + HOSTILE_LINES + article[middle:])})
    records.append({"id": "hostile-short", "text": "<script>window.__pwned = 3</script> click here"})
    records.append({"id": "copy-of-vi-01", "text": (SAMPLE / "vi-01-tin-tuc.txt").read_text("utf-8")})
    src = root / "in.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["not json"]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "run"
    assert main(["clean", str(src), "-o", str(out), "--no-progress"]) == 0
    (root / "secret.txt").write_text("TOP-SECRET-OUTSIDE-THE-RUN\n")
    return out


@pytest.fixture(scope="session")
def web_report(web_run) -> Path:
    """`tamis report` over `web_run` (once per session: drawing the charts takes seconds)."""
    pytest.importorskip("matplotlib", reason="the report needs matplotlib (pip install matplotlib)")
    from tamis.cli import main

    assert main(["report", str(web_run)]) == 0
    return web_run / "report.html"


@pytest.fixture(scope="session")
def inspector(web_run):
    """A running inspector on a free loopback port; yields its base URL."""
    from tamis.config import load_config
    from tamis.report.index import build_index, index_path
    from tamis.report.server import InspectServer, Inspector

    build_index(str(web_run))
    server = InspectServer(Inspector(str(web_run), index_path(str(web_run)), load_config()["policy"]), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


def _browser_paths() -> tuple[str | None, str | None]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    return chromium, shutil.which("chromedriver")


def _install_chromium() -> str:
    """apt-get install Debian's chromium and chromium-driver; returns why it could not, or ""."""
    if not shutil.which("apt-get"):
        return "no apt-get on this machine"
    if os.geteuid() != 0:
        return "not root, cannot apt-get install chromium chromium-driver"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"]):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if r.returncode:
            return f"{' '.join(cmd)} failed: {r.stderr.strip()[-300:]}"
    return ""


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through chromedriver (Selenium), installed from Debian's packages if missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    chromium, driver_path = _browser_paths()
    if not (chromium and driver_path):
        why = _install_chromium()
        chromium, driver_path = _browser_paths()
        if not (chromium and driver_path):
            pytest.skip(f"no headless browser: {why or 'chromium or chromedriver still missing after apt-get'}")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--allow-file-access-from-files"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where screenshots go: $TAMIS_SCREENSHOTS when set (to look at them), else the test's tmp dir."""
    d = Path(os.environ.get("TAMIS_SCREENSHOTS") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d
