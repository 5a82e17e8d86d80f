"""The notebooks call the package as it is: every name they import exists, and every keyword they pass is taken.

A fast guard (seconds, no data) for what otherwise only nbval would catch, minutes later: a renamed function or
argument in the package that a notebook still uses.
"""

import ast
import importlib
import inspect
import json
import sys

import pytest

from coursework.paths import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def code_of(notebook) -> ast.Module:
    """The notebook's code cells as one module (IPython magics and shell lines dropped)."""
    cells = json.loads(notebook.read_text())["cells"]
    lines = [
        line
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if not line.lstrip().startswith(("%", "!"))
    ]
    return ast.parse("\n".join(lines))


def imported_names(tree: ast.Module) -> dict[str, object]:
    """Every name the notebook imports from the package or beside it, resolved (a missing one fails the test)."""
    sys.path.insert(0, str(REPO_ROOT / "notebooks"))
    try:
        names = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "coursework",
                "answers_01",
            ):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if not hasattr(module, alias.name) and hasattr(module, "__path__"):  # a submodule
                        importlib.import_module(f"{node.module}.{alias.name}")
                    assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
                    names[alias.asname or alias.name] = getattr(module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("coursework"):
                        names[alias.asname or alias.name] = importlib.import_module(alias.name)
        return names
    finally:
        sys.path.remove(str(REPO_ROOT / "notebooks"))


def called(node: ast.Call, names: dict[str, object]) -> object | None:
    """The package object a call calls (``f(...)`` or ``module.f(...)``), if the notebook imported it."""
    function = node.func
    if isinstance(function, ast.Name):
        return names.get(function.id)
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        owner = names.get(function.value.id)
        if inspect.ismodule(owner):
            assert hasattr(owner, function.attr), f"{owner.__name__} has no {function.attr}"
            return getattr(owner, function.attr)
    return None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_package_call_of_the_notebook_binds(notebook) -> None:
    tree = code_of(notebook)
    names = imported_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = called(node, names)
        if target is None or not callable(target):
            continue
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):  # a builtin or C function without a signature
            continue
        keywords = {keyword.arg: None for keyword in node.keywords if keyword.arg is not None}
        starred = any(isinstance(arg, ast.Starred) for arg in node.args) or len(keywords) < len(node.keywords)
        arguments = [] if starred else [None] * len(node.args)  # *args or **kwargs: only the named keywords checked
        try:
            signature.bind_partial(*arguments, **keywords)
        except TypeError as error:
            pytest.fail(f"{notebook.name} line {node.lineno}: {ast.unparse(node.func)}(...) does not bind: {error}")
