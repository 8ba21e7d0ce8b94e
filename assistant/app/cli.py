"""Command line: `python -m assistant [command]`. Every fault ends in one Dutch sentence, never a traceback."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

from assistant import errors, paths, prompts
from assistant.app import wiring
from assistant.app.ask import cmd_ask
from assistant.app.data import cmd_delete, cmd_export, cmd_progress
from assistant.errors import UserError

log = logging.getLogger("assistant")

LOG_FILE = "coach.log"        # in the data folder: the developers' log, English, readable by the user only
LOG_MAX_BYTES = 1_000_000     # a longer log is moved to coach.log.1 at start-up
EXIT_TERMINATED = 143         # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (the system, or `kill`): ends like Ctrl-C, a running session as stopped."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def setup_logging(args) -> Path | None:
    """With -v the developers' log goes to the terminal; always (when it can) to the log file in
    the data folder, so English warnings never land in the user's terminal. Returns its path."""
    root = logging.getLogger()
    for old in _handlers:      # main() may run more than once in one process (tests)
        root.removeHandler(old)
        old.close()
    _handlers.clear()
    root.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        _add(root, console)
    logging.captureWarnings(True)
    path = paths.data_dir(getattr(args, "data_dir", None)) / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists() and path.stat().st_size > LOG_MAX_BYTES:
            os.replace(path, path.with_name(LOG_FILE + ".1"))
        os.close(os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
        handler = logging.FileHandler(path, encoding="utf-8", errors="backslashreplace")
    except OSError:
        _add(root, logging.NullHandler())   # no log file: the command itself says what is wrong
        return None
    handler.setFormatter(fmt)
    _add(root, handler)
    return path


_handlers: list[logging.Handler] = []


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    root.addHandler(handler)
    _handlers.append(handler)


def _add_session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reps", help="aantal rondes (standaard 10)")
    p.add_argument("--tempo", help="seconden per tel (standaard 1.0)")
    p.add_argument("--position", help="liggend/lying, zittend/sitting of staand/standing")
    p.add_argument("--hold", help="tellen knijpen (standaard 6)")
    p.add_argument("--relax", help="tellen ontspannen (standaard 6)")
    p.add_argument("--mute", action="store_true", help="tekst tonen in plaats van spreken")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Bekkenbodem-coach")
    parser.add_argument("--config", help="instellingenbestand (TOML)")
    parser.add_argument("--data-dir", help="map voor het dagboek")
    parser.add_argument("--model", help="map met het vosk-spraakmodel")
    parser.add_argument("--satellite", metavar="URI",
                        help="een Wyoming-satelliet als microfoon en luidspreker, bijv. tcp://192.168.1.20:10700")
    parser.add_argument("-v", "--verbose", action="store_true", help="log voor ontwikkelaars (Engels)")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("session", help="een oefensessie, nu")
    _add_session_options(p)
    p.add_argument("--dry-run", action="store_true", help="alleen het plan tonen")
    p.add_argument("--json", action="store_true", help="het plan als JSON, één regel per zin")
    p.add_argument("--satellite", metavar="URI", default=argparse.SUPPRESS,
                   help="spreken door een Wyoming-satelliet (zonder te luisteren)")

    p = sub.add_parser("text", help="getypte opdrachten in plaats van spraak")
    _add_session_options(p)

    sub.add_parser("progress", help="uw voortgang in gewone woorden, en een tabel per week")

    p = sub.add_parser("data", help="uw gegevens: exporteren of verwijderen")
    data = p.add_subparsers(dest="data_command", required=True)
    e = data.add_parser("export", help="dagboek opslaan als CSV of JSON")
    e.add_argument("file")
    e.add_argument("--overschrijven", "--overwrite", dest="overwrite", action="store_true",
                   help="een bestaand bestand vervangen")
    d = data.add_parser("delete", help="dagboek verwijderen (vraagt om bevestiging)")
    d.add_argument("--ja", "--yes", dest="yes", action="store_true", help="niet vragen")
    d.add_argument("--confirm-from-stdin", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("report", help="een verslag voor de huisarts (PDF): programma en plasdagboek")
    p.add_argument("file", help="bestandsnaam, eindigend op .pdf")

    p = sub.add_parser("model", help="het Nederlandse spraakmodel ophalen of installeren")
    model = p.add_subparsers(dest="model_command", required=True)
    m = model.add_parser("download", help="eenmalig ophalen (ongeveer 39 MB), hervat een onderbroken download")
    m.add_argument("--url", default=None, help=argparse.SUPPRESS)
    m = model.add_parser("install", help="installeren uit een zipbestand dat al op de computer staat")
    m.add_argument("file")
    model.add_parser("check", help="controleren of het model bruikbaar is")

    p = sub.add_parser("say", help="een zin laten uitspreken, zoals de coach hem zegt")
    p.add_argument("text", help="de zin")
    p.add_argument("--dry-run", action="store_true", help="alleen tonen wat de stem te horen krijgt")
    p = sub.add_parser("service", help="de coach vanzelf laten starten bij inloggen (systemd)")
    service = p.add_subparsers(dest="service_command", required=True)
    service.add_parser("install", help="installeren en starten (opties zoals --satellite gaan mee)")
    service.add_parser("remove", help="stoppen en verwijderen")
    service.add_parser("status", help="laten zien of de service draait")

    p = sub.add_parser("ask", help="een vraag stellen")
    p.add_argument("question", help="de vraag, of - om regels van stdin te lezen")
    p.add_argument("--json", action="store_true")
    return parser


def cmd_session(args) -> int:
    from assistant.app.session import new_runner, session_plan
    from assistant.clock import MonotonicClock

    words = prompts.load("coach")
    if args.dry_run:
        # The plan the session would follow now: same journal, closing line and clip lengths.
        journal = wiring.open_journal(args)
        settings = wiring.load_settings(args, journal)
        keeper = wiring.open_keeper(args, journal)
        cues = session_plan(settings, words, journal, keeper, wiring.duration_source(settings))
        for cue in cues:
            if args.json:
                print(json.dumps(cue.as_json(), ensure_ascii=False))
            else:
                print(f"{cue.t:7.2f}s  {cue.phase:<8} {cue.text}")
        return 0

    journal = wiring.open_journal(args)
    settings = wiring.load_settings(args, journal)
    keeper = wiring.open_keeper(args, journal)
    from assistant.app import satellite_app
    from assistant.app.session import end_session
    sat = satellite_app.satellite_settings(args)
    sink = satellite_app.make_sink(settings, sat) if sat.uri and not args.mute else wiring.make_sink(settings, args.mute)
    runner, recorder = new_runner(settings, words, sink, MonotonicClock(), journal,
                                  now=wiring.now,
                                  closing=[keeper.closing_line(settings.position, settings.tempo, settings.reps)])
    unsaved = None
    try:
        sink.prepare(runner.plan())
        runner.run()
        end_session(sink)
        sink.wait_idle()
    except KeyboardInterrupt:
        sink.silence()
        runner.result.stopped = True
        raise
    finally:
        unsaved = recorder.finish(runner.result)
        if unsaved:
            print(unsaved, file=sys.stderr)
        sink.close()
    return recorder.fault.exit_code if unsaved and recorder.fault else 0


def cmd_say(args) -> int:
    """Let a physiotherapist hear (or, with --dry-run, read) how the voice says a sentence."""
    from assistant.audio.speech import spoken
    if args.dry_run:
        print(spoken(args.text))
        return 0
    settings = wiring.load_settings(args)
    sink = wiring.make_sink(settings, mute=False)
    try:
        from assistant.clock import MonotonicClock
        sink.play(args.text, False, MonotonicClock().now() + sink.lookahead)
        sink.wait_idle()
    finally:
        sink.close()
    return 0


def cmd_model(args) -> int:
    from assistant.audio import models
    if args.model_command == "download":
        where = models.download(args.url or models.MODEL_URL, progress=sys.stderr.isatty())
    elif args.model_command == "install":
        where = models.install_zip(Path(args.file))
    else:
        where = models.check(args.model)
    print(f"Het spraakmodel staat klaar in {where}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):   # a character the terminal cannot show never ends a command
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    log_file = setup_logging(args)
    previous = signal.signal(signal.SIGTERM, _terminate) if threading_main() else None
    try:
        return _run(args, log_file)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args, log_file: Path | None) -> int:
    handlers = {"session": cmd_session, "say": cmd_say}
    try:
        if args.command is None:
            from assistant.app.voice_loop import main_loop
            return main_loop(args)
        if args.command == "text":
            from assistant.app.typed import run_typed
            return run_typed(args)
        if args.command == "model":
            return cmd_model(args)
        if args.command == "progress":
            return cmd_progress(args)
        if args.command == "data":
            return cmd_export(args) if args.data_command == "export" else cmd_delete(args)
        if args.command == "report":
            from assistant.app.report import cmd_report
            return cmd_report(args)
        if args.command == "service":
            from assistant.app.service import cmd_service
            return cmd_service(args)
        if args.command == "ask":
            return cmd_ask(args)
        return handlers[args.command](args)
    except UserError as err:
        log.info("%s%s", err, f" ({err.detail})" if err.detail else "")
        print(str(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as err:
        return _goodbye(err)
    except BrokenPipeError:  # e.g. `... --json | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except Exception as err:  # a fault of the program: its traceback goes to the log file, not to her
        interrupt = errors.interrupt_behind(err)
        if interrupt is not None:
            # Ctrl-C can land inside the standard library's own locks (Thread.start, Event.wait) and
            # surface as their RuntimeError: she asked to stop, so she gets the goodbye, not a fault.
            return _goodbye(interrupt, broke=err)
        log.exception("unexpected fault")
        where = log_file or "de uitvoer met -v"
        print(prompts.load("frontends")["cli"]["unexpected"].format(log=where), file=sys.stderr)
        return errors.EXIT_SOFTWARE


def _goodbye(interrupt: KeyboardInterrupt, broke: Exception | None = None) -> int:
    """The end of a run stopped by Ctrl-C or SIGTERM: one goodbye, and the exit code of the signal."""
    how = "SIGTERM" if isinstance(interrupt, Terminated) else "Ctrl-C"
    log.info("ended by %s%s", how, f" (it broke: {broke!r})" if broke is not None else "")
    print(prompts.load("frontends")["cli"]["interrupted"], file=sys.stderr)
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else 130


def threading_main() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()
