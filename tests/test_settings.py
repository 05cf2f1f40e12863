"""settings.toml: defaults, atomic updates that keep unknown keys, a broken file kept."""

from pathlib import Path

import pytest

from lace_tui.errors import StoredFileError
from lace_tui.paths import resolve_paths
from lace_tui.settings import load_settings, update_settings


def test_defaults_and_update_keeps_unknown_keys(tmp_path: Path):
    paths = resolve_paths(tmp_path)
    assert load_settings(paths).auto_update_catalog is False
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text('future_option = "kept"\n')
    update_settings(paths, theme="nord")
    text = paths.settings_file.read_text()
    assert 'theme = "nord"' in text and 'future_option = "kept"' in text


@pytest.mark.parametrize(
    "content", ['theme = "unterminated\n', "auto_update_catalog = 'maybe'\n", "\xff\xfe"]
)
def test_broken_settings_are_reported_and_never_overwritten(tmp_path: Path, content: str):
    paths = resolve_paths(tmp_path)
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_bytes(content.encode("latin-1"))
    before = paths.settings_file.read_bytes()
    with pytest.raises(StoredFileError, match=r"settings\.toml"):
        load_settings(paths)
    with pytest.raises(StoredFileError, match=r"settings\.toml"):
        update_settings(paths, theme="nord")
    assert paths.settings_file.read_bytes() == before
