"""Dialog: what to say to an utterance outside a session (answers, help, repeat, "vertel meer").

It owns the conversation's memory (the last answer), nothing else. Commands that need the coach
(start, or pause/stop while a session runs) are passed back as actions for the caller to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.language.understanding import Kind, Understanding, Understood


@dataclass(frozen=True)
class Reply:
    understood: Understood
    say: str                 # what to speak now ("" for nothing)
    action: str | None       # a command for the caller (start, stop, pause, ...) or None


class Dialog:
    def __init__(self, understanding: Understanding, session_active=lambda: False, status_text=None,
                 keeper=None) -> None:
        self.understanding = understanding
        self.keeper = keeper
        self._session_active = session_active
        self._status_text = status_text
        self.last_answer: str = ""
        self.last_intent: str | None = None
        cfg = understanding.config
        self._more_missing = cfg["dialog"]["more_answer_missing"]
        self._no_journal = cfg["dialog"]["no_journal"]

    def handle(self, text: str) -> Reply:
        return self.reply(self.understanding.understand(text))

    def reply(self, u: Understood) -> Reply:
        if u.kind is Kind.COMMAND:
            return self._command(u)
        if u.kind is Kind.MORE:
            if self.last_intent and self.last_intent in self.understanding.faq:
                say = self.understanding.faq[self.last_intent]["more"]
                self.last_answer = say
                return Reply(u, say, None)
            return Reply(u, self._more_missing, None)
        if u.kind is Kind.PROGRAMME:
            return self._remember(u, self.keeper.answer(u.intent) if self.keeper else self._no_journal)
        if u.kind is Kind.REPLY:
            return self._reply(u)
        say = u.answer
        if u.kind is Kind.QUESTION:
            self.last_intent = u.intent
            then = self.keeper.record_outcome(u.intent) if self.keeper else None
            if then:
                say = f"{say} {then}"
        return self._remember(u, say)

    def _remember(self, u: Understood, say: str) -> Reply:
        self.last_answer = say
        return Reply(u, say, None)

    def _reply(self, u: Understood) -> Reply:
        """Short replies: yes/no to a suggestion, and the reminder words."""
        k = self.keeper
        unclear = self.understanding.config["unclear"]["answer"]
        if k is None:
            return Reply(u, unclear, None)
        if u.intent in ("yes", "no"):
            if k.pending_question is None:
                return Reply(u, unclear, None)
            return self._remember(u, k.answer_suggestion(u.intent == "yes"))
        if u.intent == "reminder_later":
            return Reply(u, k.snooze(), None)
        if u.intent == "reminder_dismiss":
            return Reply(u, k.dismiss_today(), None)
        return Reply(u, k.set_reminder(u.text), None)

    def _command(self, u: Understood) -> Reply:
        action = u.action
        if action == "repeat" and not self._session_active():
            return Reply(u, self.last_answer or u.answer, None)
        if action == "help":
            self.last_answer = u.answer
            return Reply(u, u.answer, None)
        if action == "status" and not self._session_active() and self._status_text:
            return Reply(u, self._status_text(), None)
        if action == "start" or self._session_active():
            return Reply(u, "", action)
        return Reply(u, u.answer, None)
