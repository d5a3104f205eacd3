"""The packages' import graph: arrows point down only (benchmark -> agents | baselines -> episode
-> envs), so agents and baselines are peers and the harness is the one composition root."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("envs", "episode", "agents", "baselines", "benchmark")
NOT_LIBRARY = ("scripts", "tests")
ALLOWED = {
    "envs": set(),
    "episode": {"envs"},
    "agents": {"envs", "episode"},
    "baselines": {"envs", "episode"},
    "benchmark": {"envs", "episode", "agents", "baselines"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level names a module imports anywhere (lazy imports inside functions included)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package -> imported project package -> modules that import it."""
    graph: dict[str, dict[str, set[str]]] = {p: {} for p in PACKAGES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for root in imported_roots(path) & {*PACKAGES, *NOT_LIBRARY}:
                if root != package:
                    graph[package].setdefault(root, set()).add(str(path.relative_to(ROOT)))
    return graph


def test_each_package_imports_only_the_packages_below_it():
    graph = package_graph()
    wrong = {
        package: {dep: sorted(where) for dep, where in deps.items() if dep not in ALLOWED[package]}
        for package, deps in graph.items()
    }
    assert not {p: w for p, w in wrong.items() if w}


def test_the_package_graph_has_no_cycle():
    graph = {p: set(deps) & set(PACKAGES) for p, deps in package_graph().items()}
    for package in PACKAGES:
        seen, frontier = set(), [package]
        while frontier:
            for nxt in graph[frontier.pop()] - seen:
                seen.add(nxt)
                frontier.append(nxt)
        assert package not in seen, f"{package} reaches itself through {sorted(seen)}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_two_modules_share_a_name_and_none_repeats_its_package(package):
    modules = [p for p in (ROOT / package).rglob("*.py") if p.name != "__init__.py"]
    for path in modules:
        assert path.stem != path.parent.name, f"{path.relative_to(ROOT)} repeats its package name"
    everywhere = [
        p.stem for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if p.name != "__init__.py"
    ]
    clashes = {m.stem for m in modules if everywhere.count(m.stem) > 1}
    assert not clashes, f"module names used twice: {sorted(clashes)}"
