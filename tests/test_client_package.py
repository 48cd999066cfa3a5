"""The client package stands alone: it imports only the standard library and httpx, pinned
as the server pins it, and ships its type information."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

from app.settings import PROJECT_ROOT

CLIENT = PROJECT_ROOT / "client"
PACKAGE = CLIENT / "model_registry_client"
# The optional extra (``[mlflow]``): only the module that reads a store imports it.
EXTRAS = {"mlflow_import_store.py": {"mlflow"}}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_client_imports_only_the_standard_library_and_httpx() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 5
    outside = {
        str(path.name): sorted(
            roots
            - set(sys.stdlib_module_names)
            - {"httpx", PACKAGE.name}
            - EXTRAS.get(path.name, set())
        )
        for path in modules
        if (roots := imported_roots(path))
    }
    assert {name: found for name, found in outside.items() if found} == {}


def test_the_extra_is_imported_only_when_it_is_used() -> None:
    for name, extras in EXTRAS.items():
        top_level = ast.parse((PACKAGE / name).read_text()).body
        imports = [n for n in top_level if isinstance(n, ast.Import | ast.ImportFrom)]
        roots = {
            alias.name.split(".")[0] if isinstance(n, ast.Import) else str(n.module).split(".")[0]
            for n in imports
            for alias in n.names
        }
        assert not roots & extras, name


def test_the_client_depends_on_httpx_alone_pinned_as_the_server_pins_it() -> None:
    client = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    server = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    server_pins = server["dependencies"] + server["optional-dependencies"]["dev"]
    assert client["dependencies"] == [p for p in server_pins if p.startswith("httpx==")]
    assert client["scripts"] == {"model-registry": "model_registry_client.cli:main"}
    assert (PACKAGE / "py.typed").exists()
