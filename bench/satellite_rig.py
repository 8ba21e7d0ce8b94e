"""A real wyoming-satellite (from PyPI) on loopback, with the virtual PulseAudio devices as its
microphone and speaker. Used by the integration tests and the benchmark, never by the product.

    its microphone   parec from mic.monitor (play into "mic" and the satellite hears it)
    its speaker      paplay --raw into "spk" (record spk.monitor to hear what it plays)

The player's buffer is what README calls the documented --snd-command setting: paplay's default
(about 2 s) would make every "stop" take that long.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time

SND_RATE = 22050
SND_LATENCY_MS = 60


def snd_command(rate: int = SND_RATE, latency_ms: int | None = SND_LATENCY_MS, device: str = "spk") -> str:
    cmd = f"paplay --raw --device={device} --rate={rate} --format=s16le --channels=1"
    return cmd + (f" --latency-msec={latency_ms}" if latency_ms else "")


def mic_command(device: str = "mic.monitor") -> str:
    return f"parec --device={device} --rate=16000 --format=s16le --channels=1 --raw --latency-msec=20"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Satellite:
    """``python -m wyoming_satellite`` on 127.0.0.1:port; start(), kill(), start() again."""

    def __init__(self, env: dict, port: int | None = None, latency_ms: int | None = SND_LATENCY_MS,
                 log_path: str | None = None) -> None:
        self.env = dict(env)
        self.port = port or free_port()
        self.latency_ms = latency_ms
        self.log_path = log_path or os.devnull
        self.proc: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "Satellite":
        args = [sys.executable, "-m", "wyoming_satellite", "--uri", self.uri, "--no-zeroconf",
                "--name", "test-satellite",
                "--mic-command", mic_command(), "--snd-command", snd_command(latency_ms=self.latency_ms),
                "--snd-command-rate", str(SND_RATE)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=log)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wyoming-satellite exited with {self.proc.returncode}: {shlex.join(args)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("wyoming-satellite did not start listening")

    def kill(self) -> None:
        """Gone at once, as a pulled plug (SIGKILL); its player and recorder go with it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None
        # Its child processes (parec, paplay) lose their pipes and exit; wait for the player to go.
        time.sleep(0.2)

    def __enter__(self) -> "Satellite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()
