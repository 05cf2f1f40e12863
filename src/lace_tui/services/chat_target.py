"""Which agent a headless `chat` talks to (#15) when it is not given `--instance ID --model
MODEL_ID`: the one `-m ALIAS|INSTANCE/MODEL` names, the session's only agent, or the default
model."""

from __future__ import annotations

from lace_tui.errors import BadInputError
from lace_tui.services.chat_service import ChatService
from lace_tui.services.model_prefs import ModelPrefs
from lace_tui.sessions.models import Agent


def chat_agent(
    chat: ChatService, prefs: ModelPrefs, session_id: str | None, model: str | None
) -> Agent:
    """The agent for the next prompt; nothing is created when the model cannot be used.

    With `model` (an alias or INSTANCE/MODEL): the session's agent on it, added if needed.
    Without: an existing session's single agent (several is BadInputError naming `--all` and
    `-m`); a new session, or one without agents, gets an agent on the default model.
    """
    if model is not None:
        ref = prefs.resolve(model)
        return chat.agent_for(session_id, ref.instance_id, ref.model_id)
    if session_id is not None and chat.store.find_session(session_id) is not None:
        agents = chat.store.list_agents(session_id)
        if len(agents) == 1:
            return agents[0]
        if len(agents) > 1:
            names = ", ".join(f"{a.name} ({a.instance_id}/{a.model_id})" for a in agents)
            raise BadInputError(
                f"session '{session_id}' has {len(agents)} agents ({names}): send to all with "
                "`--all`, or choose one with `-m ALIAS|INSTANCE/MODEL`"
            )
    ref = prefs.resolve_default()
    return chat.agent_for(session_id, ref.instance_id, ref.model_id)
