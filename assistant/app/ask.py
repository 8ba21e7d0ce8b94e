"""`python -m assistant ask [--json] "vraag"` and `ask --json -` (one utterance a line on stdin)."""

from __future__ import annotations

import json
import sys

from assistant.app import wiring
from assistant.language.dialog import Dialog
from assistant.language.understanding import Understanding


def cmd_ask(args) -> int:
    journal = wiring.open_journal(args)
    keeper = wiring.open_keeper(args, journal)
    understanding = Understanding()
    lines = sys.stdin if args.question == "-" else [args.question]
    for line in lines:
        text = line.rstrip("\n")
        if args.question == "-" and not text.strip():
            continue
        # Each line is a conversation of its own: "vertel meer" follows an answer only within one
        # dialogue (typed or voice mode), never across the lines of a batch.
        dialog = Dialog(understanding, keeper=keeper, status_text=lambda: keeper.answer("programma_vandaag"))
        reply = dialog.handle(text)
        answer = reply.say or reply.understood.answer
        if args.json:
            record = reply.understood.as_json()
            record["answer"] = answer
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(answer, flush=True)
    return 0
