"""The OpenAPI schema: generated without warnings, and without touching the database
(`check --deploy` generates it on servers whose database may not be reachable yet)."""

from django.core.management import call_command


def test_schema_generates_without_warnings_or_queries(tmp_path):
    # No django_db mark: any query here fails the test.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))
    text = (tmp_path / "s.yml").read_text()
    for status in ("'400'", "'401'", "'403'", "'404'", "'409'", "'412'", "'428'", "'429'"):
        assert status in text
    assert "\n    Error:" in text
    assert "If-Match" in text
