"""Concurrent writers lose nothing: parallel `instance edit`s in real processes (#11)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import KEY_VARS, Result

EDITS = [
    ("--name", "Renamed"),
    ("--endpoint", "http://127.0.0.1:9/v1"),
    ("--timeout", "42"),
    ("--max-attempts", "5"),
    ("--deadline", "300"),
]


def test_parallel_edits_of_different_fields_all_land(
    cli: Callable[..., Result], home: Path
) -> None:
    assert cli("instance", "add", "work", "--provider", "openai").code == 0
    env = {k: v for k, v in os.environ.items() if not (k.endswith("_API_KEY") or k in KEY_VARS)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lace_tui",
                "--home",
                str(home),
                "instance",
                "edit",
                "work",
                flag,
                value,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for flag, value in EDITS
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    shown = cli("instance", "list", "--json").json()
    assert isinstance(shown, list)
    (work,) = shown
    assert work["name"] == "Renamed"
    assert work["endpoint"] == "http://127.0.0.1:9/v1"
    assert work["timeout"] == 42
    assert work["retry"]["max_attempts"] == 5
    assert work["deadline"] == 300
