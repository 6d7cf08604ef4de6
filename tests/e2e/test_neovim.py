"""The README's Neovim snippet, in the real Neovim (the one Debian ships, if installed)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "neovim"
NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (apt-get install neovim)")
def test_the_readme_snippet_gets_diagnostics_in_neovim(tmp_path):
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\n\nAt the end of the day, we ship the release.\n", encoding="utf-8")
    env = {
        **os.environ,
        "NUDGE_CACHE_DIR": str(tmp_path / "state"),
        "NUDGE_CMD": "\t".join([sys.executable, "-m", "nudge", "lsp"]),
        "NUDGE_OUT": str(tmp_path / "out.json"),
        "HOME": str(tmp_path),  # no user config, no shada in the real home
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state-nvim"),
    }
    env.pop("ANTHROPIC_API_KEY", None)
    subprocess.run(
        [NVIM, "--headless", "-u", str(HERE / "init.lua"), "-c", f"luafile {HERE / 'check.lua'}",
         str(doc)],
        cwd=tmp_path, env=env, timeout=60, check=True, stdin=subprocess.DEVNULL,
        capture_output=True,
    )  # fmt: skip
    found = json.loads((tmp_path / "out.json").read_text())
    assert [(d["lnum"], d["col"], d["source"]) for d in found] == [(2, 0, "nudge")]
    assert "At the end of the day" in found[0]["message"]
