"""A private PulseAudio server with null sinks: a virtual speaker and a virtual microphone.

    spk          the default output; record what the program plays from spk.monitor
    mic          play into it; the program's default input is mic.monitor

Used by the integration tests and the benchmarks, never by the product.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np


class VirtualAudio:
    def __init__(self) -> None:
        self.runtime = Path(tempfile.mkdtemp(prefix="bekkenbodem-pulse-"))
        os.chmod(self.runtime, 0o700)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=str(self.runtime),
                        PULSE_RUNTIME_PATH=str(self.runtime / "pulse"),
                        PULSE_SERVER=f"unix:{self.runtime}/pulse/native")
        self._started = False

    def start(self) -> "VirtualAudio":
        if not shutil.which("pulseaudio"):
            raise RuntimeError("pulseaudio is not installed (make test installs it)")
        subprocess.run(
            ["pulseaudio", "-D", "--exit-idle-time=-1", "-n", "--log-target=stderr", "--log-level=error",
             "--load=module-native-protocol-unix",
             "--load=module-null-sink sink_name=spk rate=22050 channels=1",
             "--load=module-null-sink sink_name=mic rate=16000 channels=1",
             "--load=module-always-sink"],
            env=self.env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=20,
        )
        for _ in range(100):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("pulseaudio did not come up")
        self.pactl("set-default-sink", "spk")
        self.pactl("set-default-source", "mic.monitor")
        self._started = True
        return self

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def export(self) -> None:
        """Point this process (and its children) at the virtual server."""
        for key in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER"):
            os.environ[key] = self.env[key]

    def record(self, source: str = "spk.monitor", rate: int = 22050) -> "Recording":
        return Recording(self.env, source, rate)

    def play_into_mic(self, samples: np.ndarray, rate: int) -> None:
        """Play float samples into the virtual microphone (blocks until done)."""
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        subprocess.run(["pacat", "--playback", "--device=mic", "--format=s16le", f"--rate={rate}",
                        "--channels=1", "--latency-msec=20"], input=pcm, env=self.env, check=True)

    def stop(self) -> None:
        if self._started:
            subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True)
            self._started = False
        shutil.rmtree(self.runtime, ignore_errors=True)


class Recording:
    """parec from a source into memory, in the background, until stop()."""

    def __init__(self, env: dict, source: str, rate: int) -> None:
        self.rate = rate
        self._file = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            ["parec", f"--device={source}", "--format=s16le", f"--rate={rate}", "--channels=1",
             "--latency-msec=10", "--raw"],
            env=env, stdout=self._file, stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)  # let the stream connect before anything plays

    def stop(self, settle: float = 1.5) -> np.ndarray:
        """The recording so far. parec lags the monitor by up to about a second and drops what it
        has buffered when terminated, so wait ``settle`` seconds first."""
        time.sleep(settle)
        self._proc.terminate()
        self._proc.wait(timeout=10)
        self._file.seek(0)
        data = np.frombuffer(self._file.read(), dtype="<i2").astype(np.float32) / 32768.0
        self._file.close()
        return data
