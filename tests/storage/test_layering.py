"""storage/ is the bottom layer: it imports nothing of the application, and no two of its
modules import each other (directly or round about)."""

import ast
from pathlib import Path

import storage

STORAGE = Path(storage.__file__).parent
ABOVE = ("bot", "dialogs", "nlp")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, set[str]]:
    """Each storage module and the storage modules it imports."""
    names = {
        ".".join(("storage", *path.relative_to(STORAGE).with_suffix("").parts)): path
        for path in STORAGE.rglob("*.py")
        if path.name != "__init__.py"
    }
    return {name: _imports(path) & names.keys() for name, path in names.items()}


def test_storage_imports_nothing_above_it() -> None:
    offending = {
        str(path.relative_to(STORAGE.parent)): sorted(
            name for name in _imports(path) if name.split(".")[0] in ABOVE
        )
        for path in STORAGE.rglob("*.py")
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_storage_modules_import_each_other_without_a_circle() -> None:
    graph = _modules()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import circle: {' -> '.join((*path, module))}"
        if module in done:
            return
        for imported in graph[module]:
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
