"""`python -m assistant service install|remove|status`: the voice coach as a systemd *user* service.

The unit is generated from ``UNIT_TEMPLATE``: it runs this Python with ``-m assistant`` (and the
options given with `service install`, such as --satellite) at login, restarts it when it fails, and
logs to the journal (`journalctl --user -u bekkenbodem-coach`). Where no user systemd runs (a
container, a system without a login session), install and remove still write or remove the file
and say in Dutch what to run; status never fails.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template

from assistant import paths, prompts
from assistant.errors import UserError

log = logging.getLogger(__name__)

UNIT = "bekkenbodem-coach.service"

UNIT_TEMPLATE = Template("""\
# Written by `python -m assistant service install`; `service remove` takes it away again.
[Unit]
Description=Bekkenbodem-coach: hands-free voice coach for pelvic-floor exercises
Documentation=$readme
# The sound server of the session (PipeWire's or PulseAudio's), when there is one.
After=pipewire-pulse.service pulseaudio.service
# Never give up: a satellite switched on after login is found at the next try.
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=$exec_start
WorkingDirectory=$workdir
Environment=PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec=15
StandardOutput=journal
StandardError=journal
SyslogIdentifier=bekkenbodem-coach

[Install]
WantedBy=default.target
""")

# Global options of the command line that the service passes on to the coach.
PASSED_ON = (("--config", "config"), ("--data-dir", "data_dir"), ("--model", "model"), ("--satellite", "satellite"))


def unit_dir() -> Path:
    """~/.config/systemd/user (or under $XDG_CONFIG_HOME)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _quote(arg: str) -> str:
    """One argument for ExecStart: systemd expands % specifiers and $ variables, so escape them."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if any(c in arg for c in ' \t"\'\\;'):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg


def _absolute(name: str, value: str) -> str:
    return str(Path(value).expanduser().resolve()) if name in ("config", "data_dir", "model") else value


def render_unit(args, python: str | None = None) -> str:
    """The unit file's text for these command-line arguments."""
    command = [python or sys.executable, "-m", "assistant"]
    for flag, name in PASSED_ON:
        value = getattr(args, name, None)
        if value:
            command += [flag, _absolute(name, str(value))]
    checkout = (paths.PROJECT_ROOT / "pyproject.toml").is_file()
    # From a checkout, `-m assistant` must find the package: run in the checkout's folder.
    workdir = str(paths.PROJECT_ROOT) if checkout else "%h"
    readme = (paths.PROJECT_ROOT / "README.md").as_uri()   # percent-encoded: no spaces
    return UNIT_TEMPLATE.substitute(exec_start=" ".join(_quote(a) for a in command),
                                    workdir=_quote(workdir) if checkout else workdir,
                                    readme=readme.replace("%", "%%"))


def _systemctl(*args: str, timeout: float = 20.0) -> subprocess.CompletedProcess | None:
    """``systemctl --user ...``; None when there is no systemctl at all."""
    exe = shutil.which("systemctl")
    if exe is None:
        return None
    try:
        return subprocess.run([exe, "--user", *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        log.info("systemctl --user %s: %r", " ".join(args), err)
        return None


def user_systemd() -> bool:
    """True when a user service manager answers (not in most containers, nor over plain su)."""
    done = _systemctl("show-environment", timeout=5.0)
    return done is not None and done.returncode == 0


def _texts() -> dict:
    return prompts.load("frontends")["service"]


def install(args, out=print) -> int:
    texts = _texts()
    path = unit_dir() / UNIT
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_unit(args), encoding="utf-8")
    except OSError as err:
        raise UserError(texts["cannot_write"].format(path=path), detail=repr(err)) from None
    if not user_systemd():
        out(texts["written_no_systemd"].format(path=path, commands=f"systemctl --user daemon-reload && "
                                                                     f"systemctl --user enable --now {UNIT}"))
        return 0
    for step in (("daemon-reload",), ("enable", "--now", UNIT)):
        done = _systemctl(*step)
        if done is None or done.returncode != 0:
            detail = done.stderr.strip() if done is not None else "no systemctl"
            raise UserError(texts["systemctl_failed"].format(command="systemctl --user " + " ".join(step)), detail=detail)
    out(texts["installed"].format(path=path, unit=UNIT))
    return 0


def remove(args, out=print) -> int:
    texts = _texts()
    path = unit_dir() / UNIT
    running = user_systemd()
    if running:
        _systemctl("disable", "--now", UNIT)
    existed = path.exists()
    try:
        path.unlink(missing_ok=True)
    except OSError as err:
        raise UserError(texts["cannot_write"].format(path=path), detail=repr(err)) from None
    if running:
        _systemctl("daemon-reload")
        out(texts["removed"] if existed else texts["not_installed"])
    elif existed:
        out(texts["removed_no_systemd"].format(path=path, commands=f"systemctl --user disable --now {UNIT}; "
                                                                     "systemctl --user daemon-reload"))
    else:
        out(texts["not_installed"])
    return 0


def status(args, out=print) -> int:
    texts = _texts()
    path = unit_dir() / UNIT
    if not path.exists():
        out(texts["not_installed"])
        return 0
    if not user_systemd():
        out(texts["status_no_systemd"].format(path=path))
        return 0
    enabled = _systemctl("is-enabled", UNIT)
    active = _systemctl("is-active", UNIT)
    yes_no = lambda done: texts["yes"] if done is not None and done.returncode == 0 else texts["no"]  # noqa: E731
    out(texts["status"].format(path=path, enabled=yes_no(enabled), active=yes_no(active), unit=UNIT))
    return 0


def cmd_service(args) -> int:
    return {"install": install, "remove": remove, "status": status}[args.service_command](args)
