"""Sessions as both front ends use them: read them, create, rename, archive and delete them,
and start a chat with a model. The screens and the CLI go through this, never the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lace_tui.errors import BadInputError
from lace_tui.sessions.models import Agent, Message, Session, SessionDetail, UsageTotals
from lace_tui.sessions.store import SessionStore

if TYPE_CHECKING:
    from lace_tui.instances.models import Instance
    from lace_tui.services.chat_service import ChatService


class SessionService:
    """The session store behind one facade. `chat` gives the chat service when first needed
    (it reads the catalog and the instances, which listing sessions does not)."""

    def __init__(self, store: SessionStore, chat: Callable[[], ChatService]) -> None:
        self._store = store
        self._chat = chat

    # -- reading -------------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session:
        """The session with that id (NotFoundError when there is none)."""
        return self._store.get_session(session_id)

    def find_session(self, session_id: str) -> Session | None:
        """The session with that id, or None."""
        return self._store.find_session(session_id)

    def list_sessions(self, include_archived: bool = False) -> list[Session]:
        """Sessions, most recently updated first."""
        return self._store.list_sessions(include_archived=include_archived)

    def last_session_id(self) -> str | None:
        """The session used last, if any."""
        return self._store.last_session_id()

    def list_agents(self, session_id: str) -> list[Agent]:
        """A session's agents in the order they were added."""
        return self._store.list_agents(session_id)

    def get_agent(self, agent_id: str) -> Agent:
        """One agent (NotFoundError when there is none)."""
        return self._store.get_agent(agent_id)

    def get_message(self, message_id: int) -> Message:
        """One stored message."""
        return self._store.get_message(message_id)

    def list_messages(self, agent_id: str) -> list[Message]:
        """An agent's messages, oldest first."""
        return self._store.list_messages(agent_id)

    def session_messages(self, session_id: str) -> list[Message]:
        """Every message of a session's agents, oldest first."""
        return self._store.session_messages(session_id)

    def totals_for_agent(self, agent_id: str) -> UsageTotals:
        """Tokens and cost an agent's replies used."""
        return self._store.totals_for_agent(agent_id)

    def session_detail(self, session_id: str) -> SessionDetail:
        """A session with its agents, messages and totals (for show and export)."""
        return self._store.session_detail(session_id)

    # -- changing ------------------------------------------------------------------------

    def create_session(self, session_id: str | None = None, title: str = "") -> Session:
        """A new, empty session."""
        return self._store.create_session(session_id, title=title)

    def rename_session(self, session_id: str, title: str) -> Session:
        """Give a session a new title."""
        return self._store.rename_session(session_id, title)

    def archive_session(self, session_id: str, archived: bool = True) -> Session:
        """Hide a session from the list (or show it again)."""
        return self._store.archive_session(session_id, archived)

    def delete_session(self, session_id: str) -> None:
        """Delete a session with its agents and messages."""
        self._store.delete_session(session_id)

    def remove_agent(self, agent_id: str) -> None:
        """Delete an agent with its messages."""
        self._store.remove_agent(agent_id)

    def set_system_prompt(self, agent_id: str, system_prompt: str) -> Agent:
        """Change the system prompt an agent sends."""
        return self._store.update_agent(agent_id, system_prompt=system_prompt)

    def mark_interrupted(self, message_id: int) -> Message:
        """A reply still `streaming` is marked interrupted (its text kept); returns it as
        stored. A reply that already ended is returned unchanged."""
        message = self._store.get_message(message_id)
        if message.status != "streaming":
            return message
        self._store.update_message(message_id, status="interrupted")
        return self._store.get_message(message_id)

    # -- starting a chat -----------------------------------------------------------------

    def instances_for_chat(self, provider_id: str) -> list[Instance]:
        """The instances a chat with a model of `provider_id` could use (maybe none yet).

        BadInputError when lace-tui cannot chat with that provider's type."""
        instances = self._chat().instances
        provider = instances.catalog.provider(provider_id)
        if not provider.can_chat:
            raise BadInputError(
                f"lace-tui cannot chat with '{provider.type}' providers yet; "
                "pick a model of another provider"
            )
        return [instance for instance in instances.all() if instance.provider == provider_id]

    def start_chat(self, instance_id: str, model_id: str) -> Session:
        """A new session with one agent on (instance, model), both checked first (a bad pair
        leaves nothing behind)."""
        agent = self._chat().add_agent(None, instance_id, model_id, create_session=True)
        return self._store.get_session(agent.session_id)
