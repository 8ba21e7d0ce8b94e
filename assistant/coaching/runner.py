"""The coach: runs a session plan against a clock, and takes commands while it runs.

Every cue is handed to the sink a little before its deadline (``sink.lookahead``); the sink makes
it *start* at the deadline. Synthesis and thread wake-up times therefore never shift the beat.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from assistant import settings as settings_mod
from assistant.coaching.plan import Cue
from assistant.settings import Settings

log = logging.getLogger(__name__)

ACTIONS = ("pause", "resume", "stop", "slower", "faster", "repeat", "status")
START_LEAD = 0.3    # seconds between "start" and the first cue
RESUME_GAP = 0.4    # after "verder": the resumed line, this much quiet, then the round again
SAID_GAP = 0.3      # between two lines said one after the other outside the plan


class Sink(Protocol):
    """Where cues go: a speaker (real audio), or a printer (--mute), or a test recorder."""

    lookahead: float

    def play(self, text: str, fast: bool, at: float) -> None: ...

    def silence(self) -> None: ...

    def duration(self, text: str, fast: bool) -> float: ...


# -- what a session tells its listener, in order; the listener runs on the coach thread ---------
@dataclass(frozen=True)
class Started:
    plan: list[Cue]


@dataclass(frozen=True)
class CueHanded:
    """A cue was handed to the sink; it starts sounding at ``at`` (monotonic seconds)."""
    cue: Cue
    at: float


@dataclass(frozen=True)
class WaitingForReady:
    """The coach asked whether the user is in position; the question sounds until ``until``.
    The session waits for ``ready()`` (or its timeout) before it goes on."""
    until: float


@dataclass(frozen=True)
class RoundStarted:
    rep: int


@dataclass(frozen=True)
class RoundDone:
    rep: int


@dataclass(frozen=True)
class TempoChanged:
    tempo: float


@dataclass(frozen=True)
class Said:
    """A line outside the plan (pause, stop, status ...) that sounds from ``at`` to ``until``."""
    text: str
    at: float
    until: float
    halted: bool   # said while the counting has halted: it may name commands


@dataclass(frozen=True)
class Paused:
    pass


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class Stopped:
    result: "SessionResult"


@dataclass(frozen=True)
class Finished:
    result: "SessionResult"


Event = (Started | CueHanded | WaitingForReady | RoundStarted | RoundDone | TempoChanged | Said | Paused | Resumed
         | Stopped | Finished)


class State(enum.Enum):
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


@dataclass
class SessionResult:
    reps_total: int
    reps_done: int = 0
    completed: bool = False
    stopped: bool = False
    tempo: float = 1.0


@dataclass
class _Command:
    action: str
    say: str = ""          # said first (a pause for a red flag says why)
    done: threading.Event = field(default_factory=threading.Event)


class SessionRunner:
    """One session. ``run()`` blocks until it ends; the control methods may be called from any thread."""

    def __init__(
        self,
        settings: Settings,
        build_plan: Callable[[Settings], list[Cue]],
        sink: Sink,
        clock,
        words: dict,
        on_event: Callable[[Event], None] | None = None,
        ready_timeout: float | None = None,
    ) -> None:
        """``ready_timeout``: after the position question, wait for ``ready()`` this many seconds at
        most (an interactive front end); None follows the plan's fixed pause."""
        self.settings = settings
        self._build_plan = build_plan
        self._sink = sink
        self._clock = clock
        self._control = words["control"]
        self._inbox: queue.Queue[_Command] = queue.Queue()
        self._on_event = on_event or (lambda event: None)
        self.state = State.RUNNING
        self.result = SessionResult(reps_total=settings.reps, tempo=settings.tempo)
        self._plan: list[Cue] = []
        self._deadlines: list[float] = []
        self._next = 0          # index of the next cue to hand to the sink
        self._last = -1         # index of the last cue handed to the sink
        self._said_until = 0.0  # when the last line said outside the plan ends
        self._ready_timeout = ready_timeout
        self._waiting_until: float | None = None   # waiting for the user's yes until then

    # -- control interface (thread-safe) -----------------------------------------------------
    def command(self, action: str, say: str = "") -> None:
        """Carry out ``action`` on the coach thread; ``say`` is spoken first (pause only)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown session action {action!r}")
        self._inbox.put(_Command(action, say))

    def pause(self) -> None: self.command("pause")
    def resume(self) -> None: self.command("resume")
    def stop(self) -> None: self.command("stop")
    def slower(self) -> None: self.command("slower")
    def faster(self) -> None: self.command("faster")
    def repeat(self) -> None: self.command("repeat")
    def status(self) -> None: self.command("status")

    def ready(self) -> None:
        """The user is in position: go on now, if the session waits for that."""
        self._inbox.put(_Command("ready"))

    @property
    def waiting(self) -> bool:
        """Waiting for the user's yes after the position question."""
        return self._waiting_until is not None and self.state is State.RUNNING

    def plan(self) -> list[Cue]:
        """The cues this session would play with its current settings."""
        return self._build_plan(self.settings)

    # -- the loop -----------------------------------------------------------------------------
    def run(self) -> SessionResult:
        self._plan = self._build_plan(self.settings)
        start = self._clock.now() + START_LEAD
        self._deadlines = [start + cue.t for cue in self._plan]
        self._emit(Started(self._plan))
        while self.state is not State.DONE:
            if self.state is State.PAUSED:
                wake = float("inf")
            elif self._waiting_until is not None:
                wake = self._waiting_until
            elif self._next < len(self._plan):
                wake = self._deadlines[self._next] - self._sink.lookahead
            else:
                last = self._plan[-1]
                wake = self._deadlines[-1] + self._sink.duration(last.text, last.fast)
            cmd = self._clock.get(self._inbox, wake)
            if cmd is not None:
                self._handle(cmd.action, cmd.say)
            elif self._waiting_until is not None:
                log.info("no answer to the position question: going on")
                self._go_on()
            elif self._next < len(self._plan):
                self._play_next()
            else:
                self.result.completed = True
                self.state = State.DONE
                self._emit(Finished(self.result))
        return self.result

    def _play_next(self) -> None:
        i = self._next
        cue = self._plan[i]
        self._sink.play(cue.text, cue.fast, self._deadlines[i])
        self._last, self._next = i, i + 1
        self._emit(CueHanded(cue, self._deadlines[i]))
        if cue.kind == "ready" and self._ready_timeout is not None:
            until = self._deadlines[i] + self._sink.duration(cue.text, cue.fast)
            self._waiting_until = until + self._ready_timeout
            self._emit(WaitingForReady(until))
        if cue.kind == "announce" and cue.rep is not None:
            self._emit(RoundStarted(cue.rep))
        if (cue.phase == "relax" and cue.count == self.settings.relax and cue.rep is not None
                and cue.rep > self.result.reps_done):
            self.result.reps_done = cue.rep
            self._emit(RoundDone(cue.rep))

    def _go_on(self) -> None:
        """After the position question: the rest of the plan from now (not before the question ends)."""
        i = self._last
        question_end = self._deadlines[i] + self._sink.duration(self._plan[i].text, self._plan[i].fast)
        gap = self._plan[i + 1].t - self._plan[i].t - self._sink.duration(self._plan[i].text, self._plan[i].fast)
        at = max(self._clock.now() + self._sink.lookahead, question_end + min(gap, RESUME_GAP))
        self._waiting_until = None
        self._restart_from(i + 1, at)

    def _say_now(self, text: str) -> None:
        """Say ``text`` now, or right after the line this session said last: never two at once."""
        at = max(self._clock.now() + self._sink.lookahead, self._said_until + SAID_GAP)
        until = at + self._sink.duration(text, False)
        self._said_until = until
        self._sink.play(text, False, at)
        self._emit(Said(text, at, until, self.state is not State.RUNNING))

    def _handle(self, action: str, say: str = "") -> None:
        words = self._control
        if action == "ready":
            if self.waiting:
                self._go_on()
            return
        if action in ("stop", "pause"):
            self._waiting_until = None
        if action == "stop":
            self._sink.silence()
            self._said_until = 0.0   # what was still to be said is gone
            self.result.stopped = True
            self.state = State.DONE
            self._say_now(words["halted"]["stopped"].format(done=self.result.reps_done, reps=self.settings.reps))
            self._emit(Stopped(self.result))
        elif action == "pause":
            if self.state is State.RUNNING or say:
                self._sink.silence()
                self._said_until = 0.0   # what was still to be said is gone
                self.state = State.PAUSED
                if say:
                    self._say_now(say)
                self._say_now(words["halted"]["paused"])
                self._emit(Paused())
        elif action == "resume":
            if self.state is State.PAUSED:
                self.state = State.RUNNING
                line = words["during"]["resumed"]
                self._say_now(line)
                at = self._said_until + RESUME_GAP
                self._restart_from(self._resume_index(), at)
                self._emit(Resumed())
        elif action in ("slower", "faster"):
            self._change_tempo(action)
        elif action == "status":
            self._say_now(self._status_text())
        elif action == "repeat":
            self._repeat_instruction()

    def _resume_index(self) -> int:
        """Start the interrupted round again from its announcement; outside rounds, the current line."""
        anchor = self._last if self._last >= 0 else self._next
        anchor = min(anchor, len(self._plan) - 1)
        rep = self._plan[anchor].rep
        if rep is None:
            return anchor
        return next(i for i, c in enumerate(self._plan) if c.rep == rep)

    def _restart_from(self, index: int, at: float) -> None:
        base = self._plan[index].t
        for j in range(index, len(self._plan)):
            self._deadlines[j] = at + self._plan[j].t - base
        self._next = index

    def _change_tempo(self, action: str) -> None:
        old = self.settings.tempo
        new = settings_mod.slower(old) if action == "slower" else settings_mod.faster(old)
        if new == old:
            self._say_now(self._control["during"]["tempo_at_limit"])
            return
        self.settings = settings_mod.apply(self.settings, {"tempo": new}, "")
        self.result.tempo = new
        old_plan, old_deadlines = self._plan, self._deadlines
        self._plan = self._build_plan(self.settings)
        if self._last < 0:
            start = old_deadlines[0] - old_plan[0].t
            self._deadlines = [start + cue.t for cue in self._plan]
        else:
            # Keep the beat relative to the last cue that sounded; the new plan may say what does
            # not fit differently (more or fewer cues), so cues are matched by their place (key).
            index = {cue.key: j for j, cue in enumerate(self._plan)}
            a = next(a for a in range(self._last, -1, -1) if old_plan[a].key in index)
            anchor_t, anchor_deadline = self._plan[index[old_plan[a].key]].t, old_deadlines[a]
            self._deadlines = [anchor_deadline + cue.t - anchor_t for cue in self._plan]
            done = old_plan[self._last].key
            self._next = next((j for j, cue in enumerate(self._plan) if cue.key > done), len(self._plan))
            self._last = self._next - 1
        if self.state is State.RUNNING:
            self._say_now(self._control["during"]["tempo_changed"])
        self._emit(TempoChanged(new))

    def _current_rep(self) -> int | None:
        for i in range(min(self._last, len(self._plan) - 1), -1, -1):
            if self._plan[i].rep is not None:
                return self._plan[i].rep
        return None

    def _status_text(self) -> str:
        during = self._control["during"]
        rep = self._current_rep()
        if rep is None:
            return during["status_intro"].format(reps=self.settings.reps)
        if self._last >= 0 and self._plan[self._last].phase == "end":
            return during["status_end"]
        return during["status_round"].format(rep=rep, reps=self.settings.reps)

    def _repeat_instruction(self) -> None:
        for i in range(self._last, -1, -1):
            if self._plan[i].kind in ("intro", "squeeze", "relax", "end"):
                self._say_now(self._plan[i].text)
                return
        if self._plan:
            self._say_now(self._plan[0].text)

    def _emit(self, event: Event) -> None:
        self._on_event(event)
