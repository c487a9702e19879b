"""A misspelt or missing variable in a page template fails a test instead of
leaving a cell empty (settings_test sets TEMPLATES string_if_invalid)."""

import pytest
from django.template.loader import get_template


def test_a_missing_variable_in_a_reports_template_fails():
    with pytest.raises(AssertionError, match="undefined template variable 'table.caption'"):
        get_template("reports/_measures_table.html").render({})
