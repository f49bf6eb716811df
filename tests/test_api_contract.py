"""The API keeps its documented contract on odd input: JSON errors for every 4xx, bounded numbers, dates as ISO
text, booleans as booleans, and every status code and media type it answers with declared in /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def error_of(response) -> dict[str, Any]:
    assert response["Content-Type"] == "application/json; charset=utf-8", response.content
    return response.json()["error"]


def openapi() -> dict[str, Any]:
    return ApiClient(None).get("/openapi.json").json()


# --- URLs and methods the API does not serve -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/partners/abc", "/partners/1/nothing", "/no-such-thing", "/"])
def test_a_url_under_the_api_that_no_route_matches_is_a_json_404(admin_api, path):
    response = admin_api.get(path)

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "no API route matches this URL"}


def test_outside_the_api_a_missing_page_is_still_the_html_404(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("delete", "/partners", "GET, POST"),
    ("put", "/customers/1", "GET, PATCH"),
    ("trace", "/events", "POST"),
])
def test_a_method_a_route_does_not_serve_is_a_json_405_with_allow(admin_api, method, path, allowed):
    response = admin_api.request(method, path)

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert error_of(response) == {
        "code": "method_not_allowed", "message": f"{method.upper()} is not allowed here; allowed: {allowed}",
    }
