"""Command line: `python -m assistant [command]`. Every fault ends in one Dutch sentence, never a traceback."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from assistant import prompts
from assistant.app import wiring
from assistant.app.ask import cmd_ask
from assistant.app.data import cmd_delete, cmd_export, cmd_progress
from assistant.errors import UserError

log = logging.getLogger("assistant")

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
    d = data.add_parser("delete", help="dagboek verwijderen (vraagt om bevestiging)")
    d.add_argument("--ja", "--yes", dest="yes", action="store_true", help="niet vragen")
    d.add_argument("--confirm-from-stdin", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("model", help="het Nederlandse spraakmodel ophalen of installeren")
    model = p.add_subparsers(dest="model_command", required=True)
    m = model.add_parser("download", help="eenmalig ophalen (ongeveer 39 MB), hervat een onderbroken download")
    m.add_argument("--url", default=None, help=argparse.SUPPRESS)
    m = model.add_parser("install", help="installeren uit een zipbestand dat al op de computer staat")
    m.add_argument("file")
    model.add_parser("check", help="controleren of het model bruikbaar is")

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
    from assistant.app.session import closing_lines, new_runner
    from assistant.clock import MonotonicClock
    from assistant.coaching import plan as plan_mod

    words = prompts.load("coach")
    if args.dry_run:
        settings = wiring.load_settings(args)
        cues = plan_mod.build_plan(settings, words, first_session=True,
                                   closing=closing_lines(words, datetime.now()))
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
        recorder.finish(runner.result)
        sink.close()
    return 0


def cmd_model(args) -> int:
    from assistant.audio import models
    if args.model_command == "download":
        where = models.download(args.url or models.MODEL_URL, progress=sys.stderr.isatty())
    elif args.model_command == "install":
        where = models.install_zip(Path(args.file))
    else:
        where = models.find(args.model)
    print(f"Het spraakmodel staat klaar in {where}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    handlers = {"session": cmd_session}
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
        if args.command == "service":
            from assistant.app.service import cmd_service
            return cmd_service(args)
        if args.command == "ask":
            return cmd_ask(args)
        return handlers[args.command](args)
    except UserError as err:
        if err.detail:
            log.info("%s", err.detail)
        print(str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(prompts.load("frontends")["cli"]["interrupted"], file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `... --json | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
