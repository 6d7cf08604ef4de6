"""The core/protocol wall: only `nudge.lsp` imports pygls or lsprotocol."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "nudge"
PROTOCOL = {"pygls", "lsprotocol"}


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_name(path: Path) -> str:
    module = module_name(path)
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def imported(source: str, package: str) -> list[tuple[str, bool]]:
    """Return (module imported, at module level) for every import in a source."""
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.append((base, id(node) in top))
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))
CORE = [p for p in MODULES if not module_name(p).startswith("nudge.lsp")]


@pytest.mark.parametrize(
    ("source", "package", "expected"),
    [
        ("import pygls", "nudge", [("pygls", True)]),
        ("import lsprotocol.types as t", "nudge", [("lsprotocol.types", True)]),
        ("from pygls.lsp.server import LanguageServer", "nudge", [("pygls.lsp.server", True)]),
        ("def f():\n    from lsprotocol import types", "nudge", [("lsprotocol", False)]),
        ("from .lsp import convert", "nudge", [("nudge.lsp", True)]),
        ("from . import convert", "nudge.lsp", [("nudge.lsp", True)]),
        ("from ..model import Finding", "nudge.lsp", [("nudge.model", True)]),
        ("from .base import Critic", "nudge.critics", [("nudge.critics.base", True)]),
    ],
)
def test_imported_finds_every_import(source, package, expected):
    assert imported(source, package) == expected


@pytest.mark.parametrize("path", CORE, ids=lambda p: module_name(p))
def test_core_never_imports_the_protocol_libraries(path):
    module = module_name(path)
    for name, _ in imported(path.read_text(encoding="utf-8"), package_name(path)):
        assert name.split(".")[0] not in PROTOCOL, f"{module} imports {name}"


@pytest.mark.parametrize("path", CORE, ids=lambda p: module_name(p))
def test_only_the_cli_reaches_the_protocol_layer_and_only_when_serving(path):
    module = module_name(path)
    for name, at_top in imported(path.read_text(encoding="utf-8"), package_name(path)):
        if name == "nudge.lsp" or name.startswith("nudge.lsp."):
            assert module == "nudge.cli" and not at_top, f"{module} imports {name}"


def test_importing_the_whole_core_loads_neither_library():
    modules = [module_name(p) for p in CORE if module_name(p) != "nudge.__main__"]
    script = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        f"print(json.dumps(sorted({{n.split('.')[0] for n in sys.modules}} & {PROTOCOL!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []


def test_no_import_cycles_among_module_level_imports():
    """Module-level `nudge.*` imports form no cycle (the protocol layer included)."""
    graph: dict[str, set[str]] = {}
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    for name, path in modules.items():
        targets = set()
        for target, at_top in imported(path.read_text(encoding="utf-8"), package_name(path)):
            if not at_top or not target.startswith("nudge"):
                continue
            # `from nudge.lsp import documents` names a module; `from nudge.x import f` not.
            targets.add(target if target in modules else target.rsplit(".", 1)[0])
        graph[name] = {t for t in targets if t in modules and t != name}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
