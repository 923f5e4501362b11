"""The scoreboard's own virtual environment: tamis (editable) plus the peer tools, from PyPI.

Created on first use at bench/.venv-scoreboard (git-ignored by `/bench/.venv*/`). Peers are pinned
so that their numbers stay comparable between runs; the install is redone when this list or the
repository's pyproject.toml changes, and tamis's install is retried on every run until it succeeds
(its dependencies may still be landing). Nothing here downloads models.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / "bench" / ".venv-scoreboard"
MARKER = VENV / "scoreboard-install.json"

PEERS = [
    "datatrove[io]==0.10.1",  # FineWeb-2 filters; [io] for the zstd JSONL reader
    "spacy==3.8.18",          # datatrove's word tokenizer for vie_Latn and arb_Arab (spacy.blank)
    "pyvi==0.1.1",            # spacy's Vietnamese tokenizer backend
    "jusText==3.0.2",
    "trafilatura==2.3.1",
    "lxml_html_clean>=0.4",   # jusText and trafilatura import lxml.html.clean, a separate package since lxml 5.2
    "PyYAML>=6",
    "zstandard>=0.22",
    "lightgbm==4.7.0",        # not a peer: bench/pages_cv.py retrains tamis's line model per fold (full mode)
]


def venv_python() -> Path:
    return VENV / "bin" / "python"


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _pyproject_hash() -> str:
    return hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]


def _pip(args: list[str]) -> tuple[int, str]:
    p = subprocess.run([str(venv_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
                       capture_output=True, text=True)
    return p.returncode, (p.stdout + p.stderr)[-2000:]


def ensure_venv(force: bool = False) -> dict:
    """Create/update the venv; returns the install state ({"peers_ok", "tamis_ok", "tamis_error"})."""
    if not venv_python().exists():
        print(f"[setup] creating {VENV.relative_to(REPO)}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    state = json.loads(MARKER.read_text()) if MARKER.exists() and not force else {}
    if state.get("peers") != PEERS or not state.get("peers_ok"):
        print("[setup] installing peers: " + ", ".join(PEERS), file=sys.stderr, flush=True)
        rc, log = _pip(PEERS)
        state.update(peers=PEERS, peers_ok=rc == 0, peers_error="" if rc == 0 else log)
        if rc != 0:
            print(log, file=sys.stderr)
    if state.get("tamis_pyproject") != _pyproject_hash() or not state.get("tamis_ok"):
        print("[setup] pip install -e . (tamis)", file=sys.stderr, flush=True)
        rc, log = _pip(["-e", str(REPO)])
        state.update(tamis_pyproject=_pyproject_hash(), tamis_ok=rc == 0, tamis_error="" if rc == 0 else log)
        if rc != 0:
            print("[setup] tamis did not install (reported in the table):\n" + log[-600:], file=sys.stderr)
    MARKER.write_text(json.dumps(state, indent=1))
    return state


def reexec_in_venv(argv: list[str]) -> None:
    """Replace this process by the same command run with the venv's interpreter."""
    env = dict(os.environ, TAMIS_SCOREBOARD_OUTER_COMMAND=" ".join([Path(sys.executable).name, "-m", "bench.scoreboard", *argv]))
    os.chdir(REPO)
    os.execve(str(venv_python()), [str(venv_python()), "-m", "bench.scoreboard", *argv], env)
