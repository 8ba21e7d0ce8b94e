"""`python -m assistant service install|remove|status`: the unit file is generated from the template
and checked by systemd itself (`systemd-analyze verify`, Debian's systemd package); here, as in
most containers, no user systemd runs, so install and remove say in Dutch what to run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import prompts
from assistant.app import service

ROOT = Path(__file__).resolve().parent.parent


# No user service manager can be reached from the tests, even on a laptop that has one: the
# developer's own services are never touched, and the container case is what is tested.
NO_USER_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus", "XDG_RUNTIME_DIR": "/nonexistent"}


def run(*args, env):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **NO_USER_BUS, **env}, timeout=60)


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """systemd's own check of a user unit; a private runtime folder stands in for a login session."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)


@pytest.fixture
def config_home(tmp_path) -> Path:
    return tmp_path / "config home"


@pytest.fixture(autouse=True)
def no_user_systemd(monkeypatch):
    for key, value in NO_USER_BUS.items():
        monkeypatch.setenv(key, value)
    assert not service.user_systemd()
    assert shutil.which("systemd-analyze"), "scripts/setup-system.sh installs systemd"


def test_install_writes_a_unit_that_systemd_verifies_and_says_what_to_run(config_home, tmp_path):
    texts = prompts.load("frontends")["service"]
    proc = run("--satellite", "tcp://127.0.0.1:10700", "service", "install", env={"XDG_CONFIG_HOME": str(config_home)})
    assert proc.returncode == 0, proc.stderr
    unit = config_home / "systemd" / "user" / service.UNIT
    assert unit.is_file()
    assert texts["written_no_systemd"].split("{")[0] in proc.stdout
    assert f"systemctl --user enable --now {service.UNIT}" in proc.stdout
    text = unit.read_text()
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert exec_start == f"ExecStart={sys.executable} -m assistant --satellite tcp://127.0.0.1:10700"
    assert "Restart=on-failure" in text and "StandardOutput=journal" in text and "WantedBy=default.target" in text
    checked = verify(unit, tmp_path)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr


def test_paths_with_spaces_and_percent_signs_survive_systemd_quoting(tmp_path):
    class Args:
        config = str(tmp_path / "mijn map" / "100% instellingen.toml")
        data_dir = model = satellite = None

    unit = tmp_path / service.UNIT
    unit.write_text(service.render_unit(Args()))
    exec_start = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
    assert '"' + str(tmp_path / "mijn map" / "100%% instellingen.toml") + '"' in exec_start
    checked = verify(unit, tmp_path)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr


def test_systemd_catches_a_broken_unit(tmp_path):
    """The check above can fail: a unit whose program does not exist is refused."""
    unit = tmp_path / service.UNIT
    unit.write_text(service.render_unit(object(), python=str(tmp_path / "no-such-python")))
    assert verify(unit, tmp_path).returncode != 0


def test_status_and_remove_without_a_user_systemd(config_home):
    texts = prompts.load("frontends")["service"]
    env = {"XDG_CONFIG_HOME": str(config_home)}
    unit = config_home / "systemd" / "user" / service.UNIT
    before = run("service", "status", env=env)
    assert before.returncode == 0 and before.stdout.strip() == texts["not_installed"]
    assert run("service", "install", env=env).returncode == 0
    status = run("service", "status", env=env)
    assert status.returncode == 0 and status.stdout.strip() == texts["status_no_systemd"].format(path=unit)
    removed = run("service", "remove", env=env)
    assert removed.returncode == 0 and not unit.exists()
    assert f"systemctl --user disable --now {service.UNIT}" in removed.stdout
    again = run("service", "remove", env=env)
    assert again.returncode == 0 and again.stdout.strip() == texts["not_installed"]


def test_with_a_user_systemd_install_enables_and_remove_disables(config_home, tmp_path):
    """With a user service manager (a stand-in systemctl that logs its calls and succeeds), install
    reloads and enables the unit, status asks it, and remove disables it before the file goes."""
    texts = prompts.load("frontends")["service"]
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexit 0\n')
    (bin_dir / "systemctl").chmod(0o755)
    env = {"XDG_CONFIG_HOME": str(config_home), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    unit = config_home / "systemd" / "user" / service.UNIT
    installed = run("service", "install", env=env)
    assert installed.returncode == 0 and installed.stdout.strip() == texts["installed"].format(path=unit, unit=service.UNIT)
    status = run("service", "status", env=env)
    assert status.stdout.strip() == texts["status"].format(path=unit, enabled=texts["yes"], active=texts["yes"],
                                                           unit=service.UNIT)
    removed = run("service", "remove", env=env)
    assert removed.returncode == 0 and removed.stdout.strip() == texts["removed"] and not unit.exists()
    log = [line for line in calls.read_text().splitlines() if "show-environment" not in line]
    assert log == ["--user daemon-reload", f"--user enable --now {service.UNIT}",
                   f"--user is-enabled {service.UNIT}", f"--user is-active {service.UNIT}",
                   f"--user disable --now {service.UNIT}", "--user daemon-reload"]
