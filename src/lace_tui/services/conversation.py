"""Acting on a conversation's turns: regenerate the last reply, edit and resend an earlier
prompt, delete a turn, and the code blocks of a reply (for copying).

A turn is a user prompt and the replies after it, up to the next prompt. Regenerating or
resending takes the turn (and every later one) out of the conversation: the rows stay in the
store, marked superseded, so nothing is lost, but they are no longer shown, searched or sent.
The prompt is then sent again like any other (by the caller), so the history sent is exactly
the conversation the user sees.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt

from lace_tui.errors import BadInputError
from lace_tui.sessions.models import Message
from lace_tui.sessions.store import SessionStore


def turn_bounds(messages: Sequence[Message], index: int) -> tuple[int, int]:
    """[start, end) of the turn that holds `messages[index]`."""
    if not 0 <= index < len(messages):
        raise BadInputError("no such message in the conversation")
    start = index
    while start > 0 and messages[start].role != "user":
        start -= 1
    end = index + 1
    while end < len(messages) and messages[end].role != "user":
        end += 1
    return start, end


def prompt_to_regenerate(messages: Sequence[Message], index: int) -> Message:
    """The prompt whose reply is made again: the last turn's, when `index` is in it."""
    start, end = turn_bounds(messages, index)
    if end != len(messages):
        raise BadInputError(
            "only the last reply can be regenerated: edit an earlier prompt to resend from there"
        )
    return _prompt_at(messages, start)


def prompt_to_edit(messages: Sequence[Message], index: int) -> Message:
    """The prompt of the turn that holds `index` (a reply's own prompt)."""
    return _prompt_at(messages, turn_bounds(messages, index)[0])


def replace_from(store: SessionStore, prompt: Message) -> int:
    """Take `prompt`'s turn and every later one out of the conversation before it is sent
    again (kept in the store as superseded). Returns how many messages left the view."""
    return store.supersede_from(prompt.id)


def delete_turn(store: SessionStore, messages: Sequence[Message], index: int) -> list[int]:
    """Delete, for good, the prompt and replies of the turn holding `index`; their ids."""
    start, end = turn_bounds(messages, index)
    ids = [message.id for message in messages[start:end]]
    store.delete_messages(ids)
    return ids


_MARKDOWN = MarkdownIt("commonmark")


def code_blocks(text: str) -> list[str]:
    """The code blocks of a Markdown text (fenced or indented), in order, as written."""
    return [
        token.content for token in _MARKDOWN.parse(text) if token.type in ("fence", "code_block")
    ]


def _prompt_at(messages: Sequence[Message], start: int) -> Message:
    prompt = messages[start]
    if prompt.role != "user":
        raise BadInputError("this reply has no prompt before it to send again")
    return prompt
