from django.core.management import call_command
from django.urls import reverse

from tests.packages.conftest import api_client_for


def test_openapi_schema_generates_without_warnings_and_validates(db, tmp_path):
    # --fail-on-warn turns every generator warning (and error) into a failure
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/manifests", "/api/v1/package-events", "/api/v1/handoffs/{id}/confirm"):
        assert path in schema


def test_schema_and_docs_pages_answer(partner_owner):
    client = api_client_for(partner_owner)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
