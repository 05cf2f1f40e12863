"""An agent's system prompt and reasoning effort, and a session written out to a file: what
the app offers beyond sending prompts (the CLI has `--system`, `--reasoning-effort` and
`session export`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lace_tui.errors import BadInputError, LaceError, StoredFileError
from lace_tui.services.chat_service import ChatService, check_reasoning_effort
from lace_tui.sessions.export import export_json, export_markdown
from lace_tui.sessions.models import Agent
from lace_tui.sessions.store import SessionStore

ExportFormat = Literal["md", "json"]


@dataclass(frozen=True)
class EffortChoice:
    """What reasoning effort the agent's model takes, as the catalog says.

    `reasons` is False for a model that does not reason (no effort to set); `levels` are the
    catalog's levels (empty when it lists none: any level is passed on as typed); `default`
    is the catalog's default level, if any. A model the catalog does not know may reason.
    """

    reasons: bool
    levels: tuple[str, ...]
    default: str = ""


def effort_choice(chat: ChatService, agent: Agent) -> EffortChoice:
    """The reasoning levels the catalog lists for the agent's model."""
    try:
        info = chat.instances.resolve_model(agent.instance_id, agent.model_id).info
    except LaceError:
        info = None
    if info is None:
        return EffortChoice(reasons=True, levels=())
    return EffortChoice(
        reasons=info.can_reason,
        levels=tuple(info.reasoning_levels),
        default=info.default_reasoning_effort,
    )


def update_agent_settings(
    chat: ChatService, agent_id: str, *, system_prompt: str, reasoning_effort: str
) -> Agent:
    """Set (or, with "", clear) the agent's system prompt and reasoning effort.

    The effort is checked against the catalog's levels for the agent's model first, so bad
    input changes nothing. Applies from the next prompt on; earlier replies stay as they were.
    """
    agent = chat.store.get_agent(agent_id)
    effort = reasoning_effort.strip()
    if effort:
        try:
            info = chat.instances.resolve_model(agent.instance_id, agent.model_id).info
        except LaceError:
            info = None
        check_reasoning_effort(agent.model_id, info, effort)
    return chat.store.update_agent(
        agent_id, system_prompt=system_prompt.strip(), reasoning_effort=effort
    )


def session_text(store: SessionStore, session_id: str, fmt: ExportFormat) -> str:
    """The whole session as Markdown or JSON (what `lace-tui session export` prints)."""
    detail = store.session_detail(session_id)
    files = store.session_attachments(session_id)
    return export_markdown(detail, files) if fmt == "md" else export_json(detail, files)


def export_format_for(path: str) -> ExportFormat:
    """JSON for a `.json` file name, Markdown otherwise."""
    return "json" if path.strip().lower().endswith(".json") else "md"


def export_session(store: SessionStore, session_id: str, path: str) -> Path:
    """Write the session to `path` (`~` expanded; `.json` for JSON, else Markdown) and return
    where it went. An existing file is never overwritten; the directory must exist."""
    if not path.strip():
        raise BadInputError("no file name given for the export")
    target = Path(os.path.expanduser(path.strip()))
    text = session_text(store, session_id, export_format_for(path))
    if not target.parent.is_dir():
        raise BadInputError(f"cannot export to {target}: the folder {target.parent} does not exist")
    try:
        # Exclusive creation: a file of the same name is the user's, never replaced.
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise BadInputError(f"{target} already exists: choose another file name") from exc
    except OSError as exc:
        raise StoredFileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
