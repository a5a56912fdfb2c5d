"""The reusable apps' imports point one way (read from their source, so the rule cannot drift back).

mediakit is the ground; avatars and persona_media stand on mediakit only, never on each other;
moderation stands on mediakit only; none of the four imports the Critvue host (critvue, accounts)
or its tools (testkit, bench). Tests are the apps' own business and are left out.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("mediakit", "avatars", "persona_media", "moderation")
HOST = ("critvue", "accounts", "testkit", "bench", "scripts")
ALLOWED = {
    "mediakit": set(),
    "avatars": {"mediakit"},
    "persona_media": {"mediakit"},
    "moderation": {"mediakit"},
}


def modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "tests" not in path.relative_to(ROOT / app).parts:
            yield path


def imported_top_levels(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever the import sits (in functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", APPS)
def test_each_app_imports_only_what_stands_below_it(app):
    project = set(APPS) | set(HOST)
    wrong = {}
    for path in modules(app):
        others = (imported_top_levels(path) & project) - {app} - ALLOWED[app]
        if others:
            wrong[str(path.relative_to(ROOT))] = sorted(others)
    assert wrong == {}


def test_the_rule_reads_imports_anywhere_in_a_module(tmp_path):
    """The reader would catch an import hidden in a function, the way moderation once imported the apps."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from avatars.models import Avatar\n    import critvue.settings\n")
    assert imported_top_levels(module) == {"avatars", "critvue"}


def test_no_app_names_a_host_setting_or_module_in_a_string():
    """Dotted paths in strings (settings, import_string) would be imports the rule above cannot see."""
    offenders = [
        str(p.relative_to(ROOT))
        for app in APPS
        for p in modules(app)
        if any(f'"{host}.' in p.read_text() or f"'{host}." in p.read_text() for host in HOST)
    ]
    assert offenders == []
