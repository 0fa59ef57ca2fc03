"""The server in layers: which package may import which, read from the code itself.

From the bottom up (each layer may import only the layers below it):

  tally          the rules: pure, imports nothing of the server
  kiosk.errors   refusals, shared by every layer above
  kiosk.blocking where blocking work runs (here, or a native thread under the gevent server)
  kiosk.store    the database, its one write path, the event log, the instance folder
  kiosk.domain   meetings, polls, tokens, intake, accounts, devices, evidence, rounds
  kiosk.stages   the four competitive stages of a round
  kiosk.documents  slips, result sheet, round sheet, round report
  kiosk.web      the request context, the ballot door, live updates, the tablet's pages, the API
  admin          the staff's pages
  kiosk.app      the application factory, which puts the above together
  kiosk.cli      the command line

The test also fails on a circle of imports between modules, and on an import inside a function
without a comment saying why it is there (the usual reason, dodging a circle, is gone).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["tally", "kiosk.errors", "kiosk.blocking", "kiosk.store", "kiosk.domain", "kiosk.stages", "kiosk.documents",
          "kiosk.web", "admin", "kiosk.app", "kiosk.cli"]


def modules() -> dict[str, Path]:
    out = {}
    for top in ("tally", "kiosk", "admin"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = modules()


def layer_of(module: str) -> int:
    best = -1
    for index, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            if best < 0 or len(layer) > len(LAYERS[best]):
                best = index
    assert best >= 0 or module == "kiosk", f"{module} belongs to no layer: add it to LAYERS"
    return best


def imports_of(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for each import of the project's own code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)] if child.level > 1 else base
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                for alias in child.names:
                    name = f"{target}.{alias.name}"
                    found.append((name if name in MODULES else target, child.lineno, in_function))
            visit(child, inside)

    visit(tree, False)
    return [(name, line, fn) for name, line, fn in found if name.split(".")[0] in ("tally", "kiosk", "admin")]


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for module, path in MODULES.items():
        if module == "kiosk":
            continue
        mine = layer_of(module)
        for target, line, _ in imports_of(module, path):
            if target == "kiosk":
                continue
            theirs = layer_of(target)
            if theirs > mine:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} ({LAYERS[theirs]} is above {LAYERS[mine]})")
    assert not wrong, "\n".join(wrong)


def test_tally_imports_nothing_of_the_server():
    for module, path in MODULES.items():
        if module.startswith("tally"):
            assert all(t.startswith("tally") for t, _, _ in imports_of(module, path)), module


def test_no_import_circle():
    graph = {m: {t for t, _, _ in imports_of(m, p) if t in MODULES and t != m} for m, p in MODULES.items()}
    # A package's __init__ importing its own modules is not a circle of the code.
    for m in graph:
        graph[m] = {t for t in graph[m] if not (m.startswith(t + ".") and (ROOT / Path(*t.split("."))).is_dir())}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles = []
    counter = [0]

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            strong(v)
    assert not circles, circles


def _explained(lines: list[str], line: int) -> bool:
    """A comment on the import's line, or in the run of imports and comments just above it."""
    index = line - 1
    if "#" in lines[index]:
        return True
    while index > 0:
        index -= 1
        text = lines[index].strip()
        if text.startswith("#"):
            return True
        if not (text.startswith(("import ", "from ")) or text == ""):
            return False
    return False


def test_an_import_inside_a_function_says_why():
    silent = []
    for path in MODULES.values():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not _explained(lines, node.lineno):
                    silent.append(f"{path.relative_to(ROOT)}:{node.lineno} imports inside a function, "
                                  "without a comment saying why")
    assert not silent, "\n".join(sorted(set(silent)))
