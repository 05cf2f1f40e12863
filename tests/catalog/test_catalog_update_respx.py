"""Catalog updates with HTTP faked at the transport (respx, and httpx's MockTransport)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.update import CatalogUpdateError, fetch_update, update_file, update_status
from lace_tui.errors import BadInputError
from lace_tui.paths import Paths, resolve_paths

BASE = "https://catwalk.example.com"
URL = f"{BASE}/v2/providers"
PROVIDERS = [
    {
        "id": "acme",
        "name": "Acme",
        "type": "openai-compat",
        "api_endpoint": "https://api.acme.example/v1",
        "models": [{"id": "a1", "cost_per_1m_in": 1, "cost_per_1m_out": 2, "context_window": 8192}],
    }
]


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


def cache_bytes(paths: Paths) -> dict[str, bytes]:
    directory = paths.catalog_update_dir
    if not directory.exists():
        return {}
    return {p.name: p.read_bytes() for p in directory.iterdir() if not p.name.endswith(".lock")}


async def test_fetch_stores_the_providers_and_uses_the_etag_next_time(paths: Paths) -> None:
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL)
        route.side_effect = [
            httpx.Response(200, json=PROVIDERS, headers={"ETag": 'W/"v1"'}),
            httpx.Response(304),
        ]
        first = await fetch_update(paths, BASE)
        second = await fetch_update(paths, BASE)

    assert first.status == "updated" and first.provider_count == 1 and first.model_count == 1
    assert second.status == "unchanged"
    sent = route.calls[1].request.headers
    assert sent["If-None-Match"] == 'W/"v1"'
    assert "If-None-Match" not in route.calls[0].request.headers
    assert route.calls[0].request.headers["User-Agent"].startswith("lace-tui/")
    status = update_status(paths)
    assert status is not None and status.source == URL and status.etag == 'W/"v1"'
    # The update replaces every shipped Catwalk provider; our local ones stay.
    catalog = load_catalog(paths)
    assert catalog.sources["acme"] == "update"
    assert "openai" not in catalog.providers and "ollama" in catalog.providers
    assert "+ provider acme (1 model)" in first.lines()


async def test_a_304_without_an_etag_sent_is_an_error(paths: Paths) -> None:
    with respx.mock() as router:
        router.get(URL).respond(304)
        with pytest.raises(CatalogUpdateError, match="answered HTTP 304"):
            await fetch_update(paths, BASE)
    assert cache_bytes(paths) == {}


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "cannot reach " + URL),
        (httpx.ConnectTimeout("timed out"), f"{URL} did not answer within 20 s"),
        (httpx.ReadTimeout("timed out"), f"{URL} did not answer within 20 s"),
        (httpx.RemoteProtocolError("peer closed connection"), "was cut short"),
    ],
)
async def test_network_failures_keep_the_previous_update(
    paths: Paths, effect: Exception, message: str
) -> None:
    with respx.mock() as router:
        router.get(URL).respond(200, json=PROVIDERS, headers={"ETag": '"v1"'})
        await fetch_update(paths, BASE)
    before = cache_bytes(paths)

    with respx.mock() as router:
        router.get(URL).mock(side_effect=effect)
        with pytest.raises(CatalogUpdateError) as caught:
            await fetch_update(paths, BASE)
    assert message in str(caught.value)
    assert "check the network" in str(caught.value) or "try again" in str(caught.value)
    assert caught.value.exit_code == 1
    assert cache_bytes(paths) == before


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (404, "check that the URL is Catwalk's base URL"),
        (403, "the server refused access"),
        (503, "the server is failing; try again later"),
    ],
)
async def test_http_errors_say_what_to_do(paths: Paths, status: int, hint: str) -> None:
    with respx.mock() as router:
        router.get(URL).respond(status, text="<html>long error page</html>")
        with pytest.raises(CatalogUpdateError) as caught:
            await fetch_update(paths, BASE)
    assert f"answered HTTP {status}" in str(caught.value)
    assert hint in str(caught.value)
    assert "<html>" not in str(caught.value)
    assert cache_bytes(paths) == {}


async def test_bad_json_in_the_reply_changes_nothing(paths: Paths) -> None:
    with respx.mock() as router:
        router.get(URL).respond(200, content=b'[{"id": "acme", ')
        with pytest.raises(CatalogUpdateError, match=r"is not a JSON list of providers \(line 1"):
            await fetch_update(paths, BASE)
    assert cache_bytes(paths) == {}


async def test_credentials_in_the_url_never_reach_a_message(paths: Paths) -> None:
    with respx.mock() as router:
        router.get(url__regex=r".*/v2/providers$").respond(500)
        with pytest.raises(CatalogUpdateError) as caught:
            await fetch_update(paths, "https://me:hunter2@catwalk.example.com")
    assert "hunter2" not in str(caught.value)
    assert "https://catwalk.example.com/v2/providers" in str(caught.value)


@pytest.mark.parametrize("source", ["ftp://catwalk.example.com", "file:///tmp/providers.json"])
async def test_other_url_schemes_are_bad_input(paths: Paths, source: str) -> None:
    with pytest.raises(BadInputError, match="only http\\(s\\) URLs and files are supported"):
        await fetch_update(paths, source)


async def test_a_transport_can_be_passed_in(paths: Paths) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=json.dumps(PROVIDERS).encode())

    result = await fetch_update(paths, BASE + "/", transport=httpx.MockTransport(handler))
    assert seen == [URL]
    assert result.status == "updated"
    assert update_file(paths).is_file()


async def test_redirects_are_followed(paths: Paths) -> None:
    with respx.mock() as router:
        router.get(URL).respond(
            301, headers={"Location": "https://mirror.example.com/v2/providers"}
        )
        router.get("https://mirror.example.com/v2/providers").respond(200, json=PROVIDERS)
        result = await fetch_update(paths, BASE)
    assert result.provider_count == 1


async def test_lost_metadata_costs_only_a_full_download(paths: Paths) -> None:
    with respx.mock() as router:
        route = router.get(URL)
        route.respond(200, json=PROVIDERS, headers={"ETag": '"v1"'})
        await fetch_update(paths, BASE)
        (paths.catalog_update_dir / "meta.json").write_text("{ damaged")
        status = update_status(paths)
        assert status is not None and status.source == "(unknown)"  # still the data in use
        await fetch_update(paths, BASE)
    assert "If-None-Match" not in route.calls[1].request.headers
    status = update_status(paths)
    assert status is not None and status.etag == '"v1"'


async def test_credentials_in_the_url_are_not_recorded(paths: Paths) -> None:
    with respx.mock() as router:
        route = router.get(url__regex=r".*/v2/providers$")
        route.respond(200, json=PROVIDERS, headers={"ETag": '"v1"'})
        result = await fetch_update(paths, "https://me:hunter2@catwalk.example.com")
        await fetch_update(paths, "https://me:hunter2@catwalk.example.com")
    assert route.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert route.calls[1].request.headers["If-None-Match"] == '"v1"'
    assert result.source == URL
    assert b"hunter2" not in (paths.catalog_update_dir / "meta.json").read_bytes()
    assert all("hunter2" not in line for line in result.lines())
