import jsonschema
from django.core.management import call_command
from django.urls import reverse

from tests.packages.conftest import api_client_for, api_client_with_token


def test_openapi_schema_generates_without_warnings_and_validates(db, tmp_path):
    # --fail-on-warn turns every generator warning (and error) into a failure
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/manifests",
        "/api/v1/package-events",
        "/api/v1/handoffs/{id}/confirm",
        "/api/v1/sync",
    ):
        assert path in schema


def test_schema_and_docs_pages_answer(partner_owner):
    client = api_client_for(partner_owner)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


def openapi(client) -> dict:
    return client.get(reverse("api-schema") + "?format=json").json()


def matches(body, schema: dict, ref: str) -> bool:
    """Whether `body` fits the component `ref` of the served schema."""
    validator = jsonschema.Draft202012Validator({"$ref": ref, "components": schema["components"]})
    return validator.is_valid(body)


def test_every_operation_documents_401(client, db):
    # Found by schemathesis: no credentials, or a wrong token, answered an undocumented 401.
    operations = [
        (path, method, operation)
        for path, methods in openapi(client)["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) == 15
    for path, method, operation in operations:
        assert "401" in operation["responses"], f"{method} {path}"


def test_a_body_in_a_media_type_the_api_does_not_read_is_a_documented_415(partner_owner):
    # Found by schemathesis: a body with an empty Content-Type answered an undocumented 415.
    client = api_client_for(partner_owner)
    response = client.generic(
        "POST", "/api/v1/package-events", b"tracking_id=X", content_type="text/plain"
    )
    assert response.status_code == 415
    assert "media type" in response.json()["detail"]
    operations = [
        operation
        for methods in openapi(client)["paths"].values()
        for operation in methods.values()
        if "requestBody" in operation
    ]
    assert len(operations) == 6
    assert all("415" in operation["responses"] for operation in operations)


def test_both_shapes_of_a_refused_manifest_match_the_documented_400(partner, dsp_token_key):
    # Found by schemathesis: a 400 with field errors did not match the schema, which named
    # only the bad-rows shape.
    # given
    schema = openapi(api_client_for(partner.owner))
    documented = schema["paths"]["/api/v1/manifests"]["post"]["responses"]["400"]
    ref = documented["content"]["application/json"]["schema"]["$ref"]
    client = api_client_with_token(dsp_token_key)
    body = {"external_id": "M-1", "partner": partner.pk, "service_date": "2026-11-25"}
    # when
    field_errors = client.post(reverse("api-manifests"), {}, format="json").json()
    bad_rows = client.post(
        reverse("api-manifests"), {**body, "packages": [{"tracking_id": "T1"}]}, format="json"
    ).json()
    not_json = client.post(reverse("api-manifests"), "{", content_type="application/json").json()
    # then
    assert "external_id" in field_errors and "errors" in bad_rows and "detail" in not_json
    for refused in (field_errors, bad_rows, not_json):
        assert matches(refused, schema, ref), refused
    assert not matches({"detail": 1}, schema, ref)


def test_request_bodies_say_which_fields_may_not_be_blank(client, db):
    # Found by schemathesis: `""` fitted the schema but was refused ("may not be blank").
    components = openapi(client)["components"]["schemas"]
    assert (
        components["PackageEventCreateRequest"]["properties"]["idempotency_key"]["minLength"] == 1
    )
    assert components["ManifestCreateRequest"]["properties"]["external_id"]["minLength"] == 1
    assert "minLength" not in components["PackageEventCreateRequest"]["properties"]["note"]
