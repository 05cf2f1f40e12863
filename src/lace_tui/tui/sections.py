"""The app's four sections: their ids, titles, keys and one line of help (a leaf module: the
app, the section bar and the command palette all read this one table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Section = Literal["catalog", "models", "instances", "chat"]


@dataclass(frozen=True)
class SectionInfo:
    id: Section
    title: str
    digit: str
    fkey: str
    help: str


SECTION_TABLE: Final[tuple[SectionInfo, ...]] = (
    SectionInfo("catalog", "Catalog", "1", "F2", "Browse providers and their models"),
    SectionInfo(
        "models", "Models", "2", "F3", "All models of all providers: sort, filter, compare"
    ),
    SectionInfo(
        "instances", "Instances", "3", "F4", "Your connections to providers: add, edit, test"
    ),
    SectionInfo("chat", "Chat", "4", "F5", "Talk to your models"),
)
SECTIONS: Final[tuple[Section, ...]] = tuple(info.id for info in SECTION_TABLE)
SECTION_TITLES: Final[dict[Section, str]] = {info.id: info.title for info in SECTION_TABLE}
