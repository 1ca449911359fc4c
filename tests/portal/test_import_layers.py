"""Apps import only the apps below them (docs/architecture.md): a test, so the layering stays.

Every import of every module is read with `ast`, at the top of a file or inside a function alike;
migrations are history and are left out.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lowest first: each app may import itself and those before it; portal may import all.
LAYERS = ["common", "places", "accounts", "sources", "dataset", "contributions", "review", "outreach", "portal"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, app) for every import of one of our apps in the module at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in RANK]
    return found


def app_modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def upward_imports() -> list[str]:
    problems = []
    for app, path in app_modules():
        for line, target in imported_apps(path):
            if RANK[target] > RANK[app]:
                problems.append(f"{path.relative_to(ROOT)}:{line} ({app}) imports {target}, a layer above it")
    return problems


def test_no_app_imports_an_app_above_it():
    assert upward_imports() == []


def test_common_imports_no_app():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for app, path in app_modules()
        if app == "common"
        for line, target in imported_apps(path)
        if target != "common"
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("source", "app", "expected"),
    [
        ("from review.models import ReviewAction\n", "dataset", ["review"]),
        ("def f():\n    import outreach.tasks\n", "sources", ["outreach"]),
        ("from .models import X\nfrom places.models import Location\n", "dataset", []),
    ],
)
def test_the_check_sees_imports_at_any_depth(tmp_path, source, app, expected):
    module = tmp_path / "module.py"
    module.write_text(source)
    assert [t for _, t in imported_apps(module) if RANK[t] > RANK[app]] == expected
