"""The layout shows the architecture (docs/architecture.md), and the import
rules that keep it readable hold: reads never import writes, library code
never imports a command, the engine never imports Django."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ROOT / "indicators"

# Modules that write (or run a workflow); reads must not depend on them.
WRITES = ("indicators.returns.workflow", "indicators.plans.load", "indicators.dataio", "indicators.opendata",
          "indicators.admin")
READS = [INDICATORS / "selectors.py", *sorted((INDICATORS / "engine").glob("*.py")),
         *sorted((ROOT / "reports").glob("*.py"))]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_indicators_has_at_most_eight_modules_at_its_top_level():
    modules = sorted(p.name for p in INDICATORS.glob("*.py"))
    assert len(modules) <= 8, modules
    packages = sorted(p.name for p in INDICATORS.iterdir() if (p / "__init__.py").exists())
    assert {"access", "admin", "dataio", "engine", "opendata", "plans", "returns"} <= set(packages)


def test_reads_never_import_writes():
    offenders = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith(WRITES))
                 for path in READS}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_library_code_never_imports_a_management_command():
    offenders = []
    for path in [*INDICATORS.rglob("*.py"), *(ROOT / "reports").rglob("*.py")]:
        if "management" in path.parts or "migrations" in path.parts:
            continue
        if any(".management" in m for m in imported_modules(path)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
