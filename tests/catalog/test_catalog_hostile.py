"""Hostile catalog files: ids that are paths, files too big to read (#11)."""

from __future__ import annotations

import pytest

from lace_tui.catalog.constants import MAX_USER_CATALOG_BYTES
from lace_tui.catalog.loader import load_catalog, load_provider_list
from lace_tui.paths import Paths
from tests.catalog.test_catalog_loader import paths, provider_dict, write_update, write_user

__all__ = ["paths"]  # the fixture, shared


@pytest.mark.parametrize("bad_id", ["../../x", "a/b", "x\n", ".hidden", "UPPER"])
def test_a_user_provider_id_that_is_not_a_slug_is_skipped_and_named(
    paths: Paths, bad_id: str
) -> None:
    write_user(paths, "evil.json", provider_dict("good") | {"id": bad_id})
    write_user(paths, "fine.json", provider_dict("fine"))
    catalog = load_catalog(paths)
    assert bad_id not in catalog.providers
    assert "fine" in catalog.providers
    (issue,) = [i for i in catalog.issues if i.file.endswith("evil.json")]
    assert repr(bad_id) in issue.reason and "not a valid id" in issue.reason


def test_an_update_entry_with_a_path_for_an_id_is_skipped(paths: Paths) -> None:
    providers, issues = load_provider_list(
        b'[{"id": "../../x", "type": "openai", "models": []},'
        b' {"id": "ok", "type": "openai", "models": []}]',
        "update",
    )
    assert [p.id for p in providers] == ["ok"]
    assert len(issues) == 1 and "'../../x'" in issues[0].reason
    write_update(paths, [provider_dict("../up"), provider_dict("fine")])
    assert "../up" not in load_catalog(paths).providers


def test_an_oversized_user_catalog_file_is_not_read(paths: Paths) -> None:
    path = write_user(paths, "huge.json", b" " * (MAX_USER_CATALOG_BYTES + 1))
    catalog = load_catalog(paths)
    (issue,) = [i for i in catalog.issues if i.file.endswith("huge.json")]
    assert "larger than 16 MiB" in issue.reason
    assert path.exists()  # reported, never touched
