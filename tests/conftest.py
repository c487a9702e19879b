import pytest

from tests import factories


@pytest.fixture
def force(db):
    return factories.make_force()


@pytest.fixture
def indicator(force):
    return factories.make_indicator(force)


@pytest.fixture
def plan_file(tmp_path):
    """Write plan YAML text to a file and return its path."""
    def write(text: str, name: str = "plan.yaml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
