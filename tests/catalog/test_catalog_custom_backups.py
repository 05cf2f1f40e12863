"""Backups of user catalog files: one before every change, ten kept, restorable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lace_tui.catalog.backups import KEEP_BACKUPS, list_backups, save_backup
from lace_tui.catalog.custom import CatalogEditor
from lace_tui.catalog.loader import load_catalog
from lace_tui.catalog.models import Model
from lace_tui.errors import BadInputError, NotFoundError
from lace_tui.paths import Paths, resolve_paths


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "home")


@pytest.fixture
def editor(paths: Paths) -> CatalogEditor:
    return CatalogEditor(paths)


def model_ids(data: bytes) -> list[str]:
    return [m["id"] for m in json.loads(data)["models"]]


def test_every_change_backs_up_the_previous_version(editor: CatalogEditor) -> None:
    created = editor.create_from_template("ollama", "box", "Box")
    assert created.backup is None  # nothing before it
    first = editor.add_model("box", Model(id="a"))
    second = editor.add_model("box", Model(id="b"))
    assert first.backup is not None and second.backup is not None
    assert model_ids(first.backup.path.read_bytes()) == []
    assert model_ids(second.backup.path.read_bytes()) == ["a"]
    assert [b.name for b in editor.backups("box")] == [second.backup.name, first.backup.name]


def test_only_the_last_ten_backups_are_kept(editor: CatalogEditor, paths: Paths) -> None:
    editor.create_from_template("ollama", "box", "Box")
    for index in range(12):
        editor.add_model("box", Model(id=f"m{index}"))
    backups = editor.backups("box")
    assert len(backups) == KEEP_BACKUPS
    assert len(list((paths.catalog_backups_dir / "box").glob("*.json"))) == KEEP_BACKUPS
    # Newest first: the last change backed up m0..m10, the oldest kept one m0..m1.
    assert model_ids(backups[0].path.read_bytes()) == [f"m{i}" for i in range(11)]
    assert model_ids(backups[-1].path.read_bytes()) == ["m0", "m1"]
    assert [b.name for b in backups] == sorted((b.name for b in backups), reverse=True)


def test_restore_puts_a_backup_back_and_backs_up_the_current_one(
    editor: CatalogEditor, paths: Paths
) -> None:
    editor.create_from_template("ollama", "box", "Box")
    editor.add_model("box", Model(id="a"))
    editor.add_model("box", Model(id="b"))
    oldest = editor.backups("box")[-1]  # the empty model list
    current = (paths.user_catalogs_dir / "box.json").read_bytes()

    result = editor.restore("box", oldest.name)
    assert (paths.user_catalogs_dir / "box.json").read_bytes() == oldest.path.read_bytes()
    assert editor.get("box").models == []
    assert result.backup is not None
    assert result.backup.path.read_bytes() == current
    assert editor.backups("box")[0].name == result.backup.name
    # The name may be given as the file name too.
    editor.restore("box", f"{result.backup.name}.json")
    assert [m.id for m in editor.get("box").models] == ["a", "b"]


def test_a_deleted_provider_can_be_restored(editor: CatalogEditor, paths: Paths) -> None:
    editor.create_from_template("ollama", "box", "Box")
    backup = editor.delete("box")
    assert "box" not in load_catalog(paths).providers
    result = editor.restore("box", backup.name)
    assert result.backup is None
    assert load_catalog(paths).sources["box"] == "user"


def test_restoring_an_unknown_or_malformed_backup_name_is_not_found(
    editor: CatalogEditor, paths: Paths
) -> None:
    editor.create_from_template("ollama", "box", "Box")
    before = (paths.user_catalogs_dir / "box.json").read_bytes()
    with pytest.raises(NotFoundError, match=r"no backup 20200101T000000\.000000Z of provider"):
        editor.restore("box", "20200101T000000.000000Z")
    with pytest.raises(NotFoundError, match="backup names are timestamps"):
        editor.restore("box", "../box")
    assert (paths.user_catalogs_dir / "box.json").read_bytes() == before


def test_a_backup_that_no_longer_loads_is_not_restored(editor: CatalogEditor, paths: Paths) -> None:
    editor.create_from_template("ollama", "box", "Box")
    backup = save_backup(paths, "box", b"{ broken")
    before = (paths.user_catalogs_dir / "box.json").read_bytes()
    with pytest.raises(BadInputError, match="is not a valid catalog file"):
        editor.restore("box", backup.name)
    assert (paths.user_catalogs_dir / "box.json").read_bytes() == before


def test_a_new_backup_sorts_last_even_when_the_clock_steps_back(paths: Paths) -> None:
    now = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)
    first = save_backup(paths, "box", b"1", now=now)
    same = save_backup(paths, "box", b"2", now=now)
    earlier = save_backup(paths, "box", b"3", now=now - timedelta(hours=1))
    assert first.name < same.name < earlier.name
    assert [b.path.read_bytes() for b in list_backups(paths, "box")] == [b"3", b"2", b"1"]


def test_backups_of_a_provider_with_none_is_empty(editor: CatalogEditor) -> None:
    assert editor.backups("openai") == []
