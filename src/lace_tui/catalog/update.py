"""`catalog update`: fetch Catwalk's provider list (or read a file), show the diff, store it.

The update is stored in `catalog_update_dir/providers.json` (the valid providers only, so the
loader does not report the skipped ones on every start) and is used in place of the shipped
Catwalk data; `meta.json` beside it records the source, the time and the ETag. Nothing here
runs at import or start-up: auto-update is a setting, off by default.

A failed fetch (offline, timeout, HTTP error, a reply cut short, data that is not a list of
providers or has no valid one) changes nothing and raises one line saying what failed, where
and what to do.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, Field, ValidationError

from lace_tui import __version__
from lace_tui.catalog.builtin import catwalk_providers_in_use
from lace_tui.catalog.diff import CatalogDiff, diff_catalogs
from lace_tui.catalog.loader import UPDATE_FILE_NAME, CatalogIssue, load_provider_list
from lace_tui.catalog.models import Provider
from lace_tui.catalog.serialize import providers_json
from lace_tui.errors import BadInputError, LaceError, StoredFileError
from lace_tui.fileio import atomic_write_bytes, file_lock
from lace_tui.paths import Paths
from lace_tui.settings import Settings, load_settings

if TYPE_CHECKING:
    import httpx

META_FILE_NAME: Final = "meta.json"
PROVIDERS_PATH: Final = "/v2/providers"
# Catwalk's whole list is under 1 MB; anything far larger is not it.
MAX_REPLY_BYTES: Final = 64 * 1024 * 1024
AUTO_UPDATE_INTERVAL: Final = timedelta(days=1)
_KEPT: Final = "the current catalog is kept"
_SCHEME_RE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class CatalogUpdateError(LaceError):
    """Fetching a catalog update failed (network, server, or its data); nothing was changed."""


class UpdateMeta(BaseModel):
    """What `meta.json` records about the stored update."""

    source: str
    fetched_at: datetime
    etag: str | None = None
    provider_count: int = 0
    model_count: int = 0
    skipped: list[str] = Field(default_factory=list)


class PendingUpdate(BaseModel):
    """A fetched update not applied yet, with its diff against the data in use."""

    source: str  # the URL asked (…/v2/providers, without credentials) or the file path
    unchanged: bool = False  # the server answered 304 Not Modified
    providers: list[Provider] = Field(default_factory=list)
    skipped: list[CatalogIssue] = Field(default_factory=list)
    diff: CatalogDiff = Field(default_factory=CatalogDiff)
    etag: str | None = None


class UpdateResult(BaseModel):
    """What `fetch_update` / `apply_update` did."""

    status: Literal["updated", "unchanged"]
    source: str
    provider_count: int
    model_count: int
    skipped: list[CatalogIssue] = Field(default_factory=list)
    diff: CatalogDiff = Field(default_factory=CatalogDiff)
    fetched_at: datetime

    def headline(self) -> str:
        """One line: up to date, or updated with counts and a summary of the diff."""
        if self.status == "unchanged":
            return f"catalog is up to date ({self.provider_count} providers from {self.source})"
        return (
            f"catalog updated from {self.source}: {self.provider_count} providers, "
            f"{self.model_count} models; {self.diff.summary()}"
        )

    def report_lines(self) -> list[str]:
        """The headline and the diff, one change per line (skipped providers left to the
        caller, which may show them as warnings)."""
        return [self.headline(), *self.diff.lines()]

    def lines(self) -> list[str]:
        """The headline, one `skipped ...` line per skipped provider, then the diff."""
        skipped = [f"skipped {issue.reason}" for issue in self.skipped]
        return [self.headline(), *skipped, *self.diff.lines()]


def update_file(paths: Paths) -> Path:
    return paths.catalog_update_dir / UPDATE_FILE_NAME


def meta_file(paths: Paths) -> Path:
    return paths.catalog_update_dir / META_FILE_NAME


def providers_url(base: str) -> str:
    """Catwalk's provider list URL for a base URL; a trailing slash or `/v2/providers` is fine."""
    url = base.strip().rstrip("/")
    if url.endswith(PROVIDERS_PATH):
        return url
    return url + PROVIDERS_PATH


def update_status(paths: Paths) -> UpdateMeta | None:
    """What the stored update records, or None when the shipped data is in use."""
    target = update_file(paths)
    try:
        stat = target.stat()
    except OSError:
        return None
    meta = _read_meta(paths)
    if meta is None:  # metadata lost: the data is still what is in use
        fetched_at = datetime.fromtimestamp(stat.st_mtime, UTC)
        meta = UpdateMeta(source="(unknown)", fetched_at=fetched_at)
    return meta


def should_auto_update(
    settings: Settings, last_fetched: datetime | None = None, *, now: datetime | None = None
) -> bool:
    """Whether to update the catalog in the background now: only when the setting is on (off by
    default), and not again within a day of the last fetch when that is given."""
    if not settings.auto_update_catalog:
        return False
    if last_fetched is None:
        return True
    return (now or datetime.now(UTC)) - last_fetched >= AUTO_UPDATE_INTERVAL


async def prepare_update(
    paths: Paths,
    source: str | None = None,
    *,
    timeout: float = 20.0,  # noqa: ASYNC109 - httpx's per-operation timeout
    transport: httpx.AsyncBaseTransport | None = None,
) -> PendingUpdate:
    """Fetch and validate an update and diff it against the data in use; store nothing.

    `source` None is the `catwalk_url` setting; an http(s) URL is Catwalk's base URL; anything
    else is a file holding a JSON list of providers. CatalogUpdateError (exit 1) when the
    network, the server or its data is at fault; BadInputError (exit 2) for a bad source or file.
    """
    chosen = source if source is not None else load_settings(paths).catwalk_url
    scheme = _SCHEME_RE.match(chosen.strip())
    if scheme is None:
        # Reading, validating and diffing a catalog takes tens of milliseconds: not on the loop.
        return await asyncio.to_thread(_prepare_from_file, paths, chosen)
    if scheme.group(1).lower() not in ("http", "https"):
        raise BadInputError(
            f"cannot update the catalog from {_redact(chosen)}: only http(s) URLs and files "
            "are supported"
        )
    url = providers_url(chosen)
    shown = _redact(url)  # what is recorded and shown: never a password in the URL
    known_etag = _stored_etag(paths, shown)
    reply = await _download(url, known_etag, timeout=timeout, transport=transport)
    if reply is None:
        return PendingUpdate(source=shown, unchanged=True, etag=known_etag)
    data, etag = reply
    return await asyncio.to_thread(_prepare_from_reply, paths, shown, data, etag)


def _prepare_from_file(paths: Paths, source: str) -> PendingUpdate:
    path = Path(source).expanduser().resolve()
    providers, skipped = load_provider_list(_read_source_file(path), str(path))
    if not providers:
        raise BadInputError(f"cannot update the catalog from {path}: {_why_none(skipped)}")
    return _pending(paths, str(path), providers, skipped, None)


def _prepare_from_reply(paths: Paths, url: str, data: bytes, etag: str | None) -> PendingUpdate:
    providers, skipped = load_provider_list(data, url)
    if not providers:
        raise CatalogUpdateError(
            f"catalog update failed: the reply from {url} {_why_none(skipped)}; "
            f"check that it is Catwalk's URL ({_KEPT})"
        )
    return _pending(paths, url, providers, skipped, etag)


def _pending(
    paths: Paths,
    source: str,
    providers: list[Provider],
    skipped: list[CatalogIssue],
    etag: str | None,
) -> PendingUpdate:
    diff = diff_catalogs(catwalk_providers_in_use(paths), providers)
    return PendingUpdate(source=source, providers=providers, skipped=skipped, diff=diff, etag=etag)


def apply_update(
    paths: Paths, pending: PendingUpdate, *, now: datetime | None = None
) -> UpdateResult:
    """Store a prepared update atomically (the data first, then its metadata)."""
    fetched_at = now or datetime.now(UTC)
    target = update_file(paths)
    with file_lock(target):
        if pending.unchanged:
            meta = _read_meta(paths)
            if meta is not None:
                meta = meta.model_copy(update={"fetched_at": fetched_at})
                _write(meta_file(paths), meta.model_dump_json(indent=2).encode())
            return UpdateResult(
                status="unchanged",
                source=pending.source,
                provider_count=meta.provider_count if meta else 0,
                model_count=meta.model_count if meta else 0,
                fetched_at=fetched_at,
            )
        model_count = sum(len(provider.models) for provider in pending.providers)
        meta = UpdateMeta(
            source=pending.source,
            fetched_at=fetched_at,
            etag=pending.etag,
            provider_count=len(pending.providers),
            model_count=model_count,
            skipped=[issue.reason for issue in pending.skipped],
        )
        # Data before metadata: a crash in between leaves an old ETag, which only costs a
        # full download next time; the other order could make the server say 304 forever.
        _write(target, providers_json(pending.providers))
        _write(meta_file(paths), meta.model_dump_json(indent=2).encode())
    return UpdateResult(
        status="updated",
        source=pending.source,
        provider_count=len(pending.providers),
        model_count=model_count,
        skipped=pending.skipped,
        diff=pending.diff,
        fetched_at=fetched_at,
    )


async def fetch_update(
    paths: Paths,
    source: str | None = None,
    *,
    timeout: float = 20.0,  # noqa: ASYNC109 - httpx's per-operation timeout
    transport: httpx.AsyncBaseTransport | None = None,
) -> UpdateResult:
    """Fetch, validate and store a catalog update (`prepare_update` then `apply_update`)."""
    pending = await prepare_update(paths, source, timeout=timeout, transport=transport)
    return apply_update(paths, pending)


def reset_update(paths: Paths) -> bool:
    """Delete the stored update, going back to the shipped data; False if there was none."""
    removed = False
    target = update_file(paths)
    with file_lock(target):
        for path in (target, meta_file(paths)):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StoredFileError(f"cannot remove {path}: {exc.strerror}") from exc
            removed = removed or path == target
    return removed


async def _download(
    url: str,
    etag: str | None,
    *,
    timeout: float,  # noqa: ASYNC109 - httpx's per-operation timeout
    transport: httpx.AsyncBaseTransport | None,
) -> tuple[bytes, str | None] | None:
    """The body and ETag of `url`, or None for 304 Not Modified; CatalogUpdateError otherwise."""
    import httpx  # lazily: only `catalog update` needs it, and start-up must stay fast

    shown = _redact(url)
    headers = {"Accept": "application/json", "User-Agent": f"lace-tui/{__version__}"}
    if etag is not None:
        headers["If-None-Match"] = etag
    try:
        async with (
            httpx.AsyncClient(
                transport=transport, timeout=timeout, follow_redirects=True
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304 and etag is not None:
                return None
            if response.status_code != 200:
                raise CatalogUpdateError(
                    f"catalog update failed: {shown} answered HTTP {response.status_code} "
                    f"{response.reason_phrase}; {_status_hint(response.status_code)} ({_KEPT})"
                )
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_REPLY_BYTES:
                    raise CatalogUpdateError(
                        f"catalog update failed: the reply from {shown} is over "
                        f"{MAX_REPLY_BYTES // (1024 * 1024)} MB, far more than a provider "
                        f"list; check the URL ({_KEPT})"
                    )
            return bytes(body), response.headers.get("ETag")
    except httpx.InvalidURL as exc:
        raise BadInputError(
            f"cannot update the catalog from {shown}: not a valid URL ({_one_line(exc)})"
        ) from None
    except httpx.TimeoutException:
        raise CatalogUpdateError(
            f"catalog update failed: {shown} did not answer within {timeout:g} s; check the "
            f"network or try again later ({_KEPT})"
        ) from None
    except httpx.RemoteProtocolError as exc:
        raise CatalogUpdateError(
            f"catalog update failed: the reply from {shown} was cut short ({_one_line(exc)}); "
            f"try again ({_KEPT})"
        ) from None
    except httpx.HTTPError as exc:
        raise CatalogUpdateError(
            f"catalog update failed: cannot reach {shown} ({_one_line(exc)}); check the "
            f"network and the URL ({_KEPT})"
        ) from None


def _status_hint(status: int) -> str:
    if status == 404:
        return "check that the URL is Catwalk's base URL (the client adds /v2/providers)"
    if status in (401, 403):
        return "the server refused access; check the URL"
    if status >= 500:
        return "the server is failing; try again later"
    return "check the URL"


def _read_source_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(
            f"cannot update the catalog from {path}: no such file; give Catwalk's URL or a "
            "JSON file listing providers"
        ) from None
    except IsADirectoryError:
        raise BadInputError(
            f"cannot update the catalog from {path}: it is a directory; give a JSON file"
        ) from None
    except OSError as exc:
        raise BadInputError(f"cannot update the catalog from {path}: {exc.strerror}") from exc


def _why_none(skipped: list[CatalogIssue]) -> str:
    """Why a provider list yielded no provider, in a few words."""
    if not skipped:
        return "lists no providers"
    first = skipped[0].reason
    if len(skipped) == 1 and not first.startswith("entry "):
        return f"is not a JSON list of providers ({first})"
    more = f", and {len(skipped) - 1} more" if len(skipped) > 1 else ""
    return f"has no valid provider ({first}{more})"


def _stored_etag(paths: Paths, url: str) -> str | None:
    """The ETag to send: only for the same URL, and only while its data is still stored."""
    meta = _read_meta(paths)
    if meta is None or meta.etag is None or meta.source != url:
        return None
    if not update_file(paths).is_file():
        return None
    return meta.etag


def _read_meta(paths: Paths) -> UpdateMeta | None:
    # A missing or damaged meta.json only costs a full download, so it is not an error.
    try:
        return UpdateMeta.model_validate_json(meta_file(paths).read_bytes())
    except (OSError, ValidationError):
        return None


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise StoredFileError(f"cannot write {path}: {exc.strerror}: {_KEPT}") from exc


def _redact(url: str) -> str:
    """`url` without a user name or password in it."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", r"\1", url)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
