"""The engine imports no Django, so it runs and is tested without a database."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "indicators" / "engine"


def test_nothing_under_the_engine_imports_django():
    offenders = []
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []
    assert len(list(ENGINE.glob("*.py"))) >= 7
