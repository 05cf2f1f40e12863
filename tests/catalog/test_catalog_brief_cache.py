"""The Catalog table's first-frame briefs: the shipped index and the saved cache, never stale.

What the first frame shows must be what the full load then gives; when that cannot be known
cheaply (a changed, added or broken file, a cache that does not read back) there is no answer
and the screen waits for the full load, which still reads and reports everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from lace_tui.catalog.brief_cache import (
    file_prints,
    first_frame_briefs,
    index_briefs,
    read_briefs,
    save_briefs,
    sources_stamp,
)
from lace_tui.catalog.briefs import PriceSpan, ProviderBrief, briefs_of
from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.query import summarize_providers
from lace_tui.catalog.shipped_index import BRIEFS, FILES
from lace_tui.catalog.shipped_index_build import INDEX_FILE, render_shipped_index
from lace_tui.paths import Paths, resolve_paths
from tests.catalog.test_catalog_loader import provider_dict, write_update, write_user


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


def save_after_full_load(paths: Paths) -> list[ProviderBrief]:
    """What the app does once its start-up worker has loaded the catalog."""
    stamp = sources_stamp(paths)
    assert stamp is not None
    briefs = briefs_of(load_catalog(paths))
    save_briefs(paths, stamp, briefs)
    return briefs


# --- the shipped index ----------------------------------------------------------------------


def test_shipped_index_matches_the_shipped_data() -> None:
    # Fails after a change to data/catalogs: run `python -m lace_tui.catalog.shipped_index_build`.
    assert INDEX_FILE.read_text(encoding="utf-8") == render_shipped_index()


def test_first_start_gets_the_full_load_briefs_from_the_index(paths: Paths) -> None:
    briefs = first_frame_briefs(paths)

    assert briefs == briefs_of(load_catalog(paths))
    assert briefs is not None and len(briefs) == len(BRIEFS) == 43
    assert not paths.cache_dir.exists()  # reading writes nothing


def test_briefs_agree_with_the_cli_summaries(paths: Paths) -> None:
    write_user(paths, "mine.json", provider_dict("mine", models=3))
    catalog = load_catalog(paths)

    for brief, summary in zip(briefs_of(catalog), summarize_providers(catalog), strict=True):
        assert brief.id == summary.id and brief.name == summary.name
        assert (brief.type, brief.model_count, brief.source) == (
            summary.type,
            summary.model_count,
            summary.source,
        )
        assert (brief.can_chat, brief.api_endpoint, brief.api_key_env, brief.user_file) == (
            summary.can_chat,
            summary.api_endpoint,
            summary.api_key_env,
            summary.user_file,
        )
        assert tuple(brief.prices) == (
            summary.prices.min_in,
            summary.prices.max_in,
            summary.prices.min_out,
            summary.prices.max_out,
        )


def test_first_frame_does_not_import_pydantic(paths: Paths) -> None:
    code = (
        "import sys\n"
        "from lace_tui.paths import resolve_paths\n"
        "from lace_tui.catalog.brief_cache import first_frame_briefs\n"
        f"briefs = first_frame_briefs(resolve_paths({str(paths.config_dir)!r}))\n"
        "print(len(briefs), 'pydantic' in sys.modules, 'json' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["43", "False", "False"]


def shipped_like(tmp_path: Path) -> tuple[list[Path], list[tuple[str, int, int]]]:
    directory = tmp_path / "shipped"
    directory.mkdir()
    files = []
    for name in ("a.json", "b.json"):
        path = directory / name
        path.write_bytes(json.dumps(provider_dict(name[0])).encode())
        files.append(path)
    return files, file_prints(files)


ROWS = (
    ("a", "A", "openai-compat", 2, "https://a.example.com/v1", "A_API_KEY", 1.0, 2.0, 3.0, 4.0),
    ("b", "B", "made-up", 2, "", None, None, None, None, None),
)


def test_index_gives_its_rows_while_the_files_are_those_it_was_made_from(tmp_path: Path) -> None:
    files, prints = shipped_like(tmp_path)

    briefs = index_briefs(files, prints, ROWS)

    assert briefs is not None
    assert briefs[0] == ProviderBrief(
        "a", "A", "openai-compat", 2, "shipped", True, "https://a.example.com/v1", "A_API_KEY",
        PriceSpan(1.0, 2.0, 3.0, 4.0),
    )  # fmt: skip
    assert briefs[1].can_chat is False  # no chat client for that type


def test_index_is_not_used_once_a_file_changed_even_at_the_same_size(tmp_path: Path) -> None:
    files, prints = shipped_like(tmp_path)
    data = files[1].read_bytes()
    files[1].write_bytes(data.replace(b'"B"', b'"C"'))
    assert files[1].stat().st_size == len(data)

    assert index_briefs(files, prints, ROWS) is None


def test_index_is_not_used_when_a_file_is_added_removed_or_unreadable(tmp_path: Path) -> None:
    files, prints = shipped_like(tmp_path)
    extra = files[0].with_name("c.json")
    extra.write_bytes(b"{}")

    assert index_briefs([*files, extra], prints, ROWS) is None
    assert index_briefs(files[:1], prints, ROWS) is None
    files[0].unlink()
    assert index_briefs(files, prints, ROWS) is None


def test_file_prints_are_name_size_and_crc32(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b"[1, 2]")
    assert file_prints([path]) == [("x.json", 6, zlib.crc32(b"[1, 2]"))]
    assert [name for name, _, _ in FILES] == sorted(name for name, _, _ in FILES)


# --- the saved cache (user catalog files, downloaded updates) --------------------------------


def test_with_user_files_only_a_cache_saved_for_them_answers(paths: Paths) -> None:
    write_user(paths, "openai.json", provider_dict("openai", name="My OpenAI", models=1))

    assert first_frame_briefs(paths) is None  # nothing saved yet: wait for the full load
    saved = save_after_full_load(paths)
    briefs = first_frame_briefs(paths)

    assert briefs == saved == briefs_of(load_catalog(paths))
    assert briefs is not None
    mine = next(b for b in briefs if b.id == "openai")
    assert (mine.name, mine.source, mine.model_count) == ("My OpenAI", "user", 1)
    assert mine.user_file == str(paths.user_catalogs_dir / "openai.json")


def test_a_user_edit_makes_the_cache_stale(paths: Paths) -> None:
    path = write_user(paths, "mine.json", provider_dict("mine", models=2))
    save_after_full_load(paths)
    write_user(paths, "mine.json", provider_dict("mine", models=3))
    os.utime(path, ns=(1, 1))  # even with an old modification time, the size differs

    assert first_frame_briefs(paths) is None
    save_after_full_load(paths)
    briefs = first_frame_briefs(paths)
    assert briefs is not None
    assert next(b for b in briefs if b.id == "mine").model_count == 3


def test_same_size_edit_is_caught_by_the_modification_time(paths: Paths) -> None:
    path = write_user(paths, "mine.json", provider_dict("mine", name="Aaaa"))
    os.utime(path, ns=(10**18, 10**18))
    save_after_full_load(paths)
    write_user(paths, "mine.json", provider_dict("mine", name="Bbbb"))
    os.utime(path, ns=(10**18 + 1, 10**18 + 1))

    assert first_frame_briefs(paths) is None


def test_added_or_removed_user_file_makes_the_cache_stale(paths: Paths) -> None:
    first = write_user(paths, "one.json", provider_dict("one"))
    save_after_full_load(paths)
    write_user(paths, "two.json", provider_dict("two"))
    assert first_frame_briefs(paths) is None

    save_after_full_load(paths)
    first.unlink()
    assert first_frame_briefs(paths) is None


def test_broken_user_file_stays_reported_and_its_provider_shows_as_the_full_load_has_it(
    paths: Paths,
) -> None:
    write_user(paths, "openai.json", b'{"id": "openai", "type": "openai", "models": [{}]}')
    saved = save_after_full_load(paths)

    briefs = first_frame_briefs(paths)

    assert briefs == saved
    assert briefs is not None
    assert next(b for b in briefs if b.id == "openai").source == "shipped"
    # The cache holds no issues: the full load, which still runs, is what reports them.
    assert [str(i) for i in load_catalog(paths).issues] == [
        "catalogs/openai.json: models[0].id: Field required"
    ]


def test_downloaded_update_is_served_from_the_cache_only(paths: Paths) -> None:
    write_update(paths, [provider_dict("acme", name="Acme")])
    assert first_frame_briefs(paths) is None

    save_after_full_load(paths)
    briefs = first_frame_briefs(paths)

    assert briefs is not None
    assert {b.id: b.source for b in briefs}["acme"] == "update"
    assert "anthropic" not in {b.id for b in briefs}  # the update replaced Catwalk's data


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00\xff garbage", id="garbage"),
        pytest.param(b'{"format": 1, "stamp": [], "providers": []', id="truncated"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(b'{"format": 999}', id="other-format"),
    ],
)
def test_unreadable_cache_is_ignored_and_rewritten(paths: Paths, content: bytes) -> None:
    write_user(paths, "mine.json", provider_dict("mine"))
    saved = save_after_full_load(paths)
    paths.catalog_briefs_file.write_bytes(content)

    assert first_frame_briefs(paths) is None
    save_after_full_load(paths)
    assert first_frame_briefs(paths) == saved


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 5),
        ("model_count", "3"),
        ("model_count", True),
        ("can_chat", "yes"),
        ("source", "elsewhere"),
        ("api_key_env", 1),
        ("prices", [1, 2]),
    ],
)
def test_cache_entry_of_the_wrong_shape_is_not_used(
    paths: Paths, field: str, value: object
) -> None:
    write_user(paths, "mine.json", provider_dict("mine"))
    save_after_full_load(paths)
    document = json.loads(paths.catalog_briefs_file.read_bytes())
    document["providers"][0][field] = value
    paths.catalog_briefs_file.write_text(json.dumps(document))

    stamp = sources_stamp(paths)
    assert stamp is not None
    assert read_briefs(paths, stamp) is None


def test_cache_of_another_version_is_not_used(paths: Paths) -> None:
    write_user(paths, "mine.json", provider_dict("mine"))
    save_after_full_load(paths)
    document = json.loads(paths.catalog_briefs_file.read_bytes())
    document["stamp"][0][1] = "0.0.0-other"
    paths.catalog_briefs_file.write_text(json.dumps(document))

    assert first_frame_briefs(paths) is None


def test_unchanged_cache_is_not_rewritten(paths: Paths) -> None:
    write_user(paths, "mine.json", provider_dict("mine"))
    save_after_full_load(paths)
    os.utime(paths.catalog_briefs_file, ns=(1, 1))

    save_after_full_load(paths)

    assert paths.catalog_briefs_file.stat().st_mtime_ns == 1


def test_cache_is_private_and_written_without_temp_files_left(paths: Paths) -> None:
    write_user(paths, "mine.json", provider_dict("mine"))
    save_after_full_load(paths)

    assert paths.catalog_briefs_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in paths.cache_dir.iterdir()] == ["catalog-briefs.json"]


def test_cache_that_cannot_be_written_is_left_alone_silently(paths: Paths) -> None:
    write_user(paths, "mine.json", provider_dict("mine"))
    paths.cache_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.cache_dir.write_text("not a directory")

    save_after_full_load(paths)  # no error

    assert first_frame_briefs(paths) is None
    assert paths.cache_dir.read_text() == "not a directory"


def test_user_catalogs_path_that_cannot_be_listed_gives_no_briefs(paths: Paths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.user_catalogs_dir.write_text("not a directory")

    assert sources_stamp(paths) is None
    assert first_frame_briefs(paths) is None
