"""`python -m assistant ask [--json] "vraag"` and `ask --json -` (one utterance a line on stdin).

Any bytes in, valid text out: undecodable bytes become U+FFFD, every --json line is valid UTF-8
JSON, one bad line never costs the others, and an overlong line is answered at once as not
understood (see textin)."""

from __future__ import annotations

import json
import sys

from assistant.app import textin, wiring
from assistant.language.dialog import Dialog


def cmd_ask(args) -> int:
    journal = wiring.open_journal(args)
    keeper = wiring.open_keeper(args, journal)
    understanding = wiring.understanding()
    if args.json:
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
    lines = textin.read_lines(sys.stdin.buffer) if args.question == "-" else [textin.clean(args.question)]
    for text in lines:
        if args.question == "-" and not text.strip():
            continue
        # Each line is a conversation of its own: "vertel meer" follows an answer only within one
        # dialogue (typed or voice mode), never across the lines of a batch.
        dialog = Dialog(understanding, keeper=keeper, status_text=lambda: keeper.answer("programma_vandaag"))
        reply = dialog.reply(textin.understand(understanding, text))
        answer = reply.say or reply.understood.answer
        if args.json:
            record = reply.understood.as_json()
            record["answer"] = answer
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(answer, flush=True)
    return 0
