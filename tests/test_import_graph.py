"""No import cycle anywhere in ``openaifs/`` (issue 11): data flows one way.

The graph is read from the source with :mod:`ast`, so it includes the imports made lazily
inside functions (a cycle there is still a cycle, just one that bites later). Imports under
``if TYPE_CHECKING:`` never run and are left out. Each module is also imported first, with
no other openaifs module loaded, which an order-dependent cycle would break.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "openaifs"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imports_of(name: str) -> set[str]:
    """The openaifs modules ``name`` imports, at the top or inside functions."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                # ``from openaifs import paths`` imports the module openaifs.paths (the
                # package is already under way); ``from openaifs import OpenAIFileSystem``
                # needs the package itself.
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in MODULES else base)
    return {t for t in targets if t in MODULES and t != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first == last), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_openaifs():
    graph = {name: imports_of(name) for name in MODULES}
    # A package's __init__ runs before any of its submodules: importing openaifs.x also
    # imports openaifs, so an edge into the package is an edge into what it imports.
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_graph_sees_lazy_imports():
    assert "openaifs.server.cli" in imports_of("openaifs.cli")  # imported inside cmd_serve


def test_each_module_imports_on_its_own():
    """Each module imported first, with no openaifs module loaded before it (one
    interpreter, emptied of openaifs between imports: a fresh one each would cost seconds)."""
    names = [n for n in sorted(MODULES) if not n.endswith("__main__")]
    if importlib.util.find_spec("aiohttp") is None:
        names = [n for n in names if not n.startswith("openaifs.server")]
    code = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {names!r}:
            for loaded in [m for m in sys.modules if m.split(".")[0] == "openaifs"]:
                del sys.modules[loaded]
            importlib.import_module(name)
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
