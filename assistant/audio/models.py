"""The speech model: find it, download it (resumable, with progress), install it from a zip.

Installation is safe and atomic: members are checked before anything is written (no absolute
paths, no '..', no links), extraction happens in a hidden staging folder, the expected files are
verified, the project's end-of-speech settings are written into conf/model.conf, and only then is
the folder moved into place. A half-finished download or extraction never looks like a model.
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from assistant import paths
from assistant.errors import UserError

log = logging.getLogger(__name__)

MODEL_NAME = "vosk-model-small-nl-0.22"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
MARKER = ".bekkenbodem-model"           # written last: its presence means "complete"
REQUIRED = ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf")
GRAPHS = (("graph/HCLr.fst", "graph/Gr.fst"), ("graph/HCLG.fst",))
# End-of-speech silence (seconds) for vosk 0.3.45, which reads it only from conf/model.conf:
# shorter than vosk's defaults (0.5 / 1.0 / 2.0) so a spoken command ends quickly.
ENDPOINT = {"--endpoint.rule2.min-trailing-silence": "0.4",
            "--endpoint.rule3.min-trailing-silence": "0.8",
            "--endpoint.rule4.min-trailing-silence": "1.2"}

FETCH_HINT = "python -m assistant model download"


def missing_files(model_dir: Path) -> list[str]:
    missing = [f for f in REQUIRED if not (model_dir / f).is_file()]
    if not any(all((model_dir / f).is_file() for f in graph) for graph in GRAPHS):
        missing.append(" + ".join(GRAPHS[0]))
    return missing


def default_dir() -> Path:
    return paths.models_dir() / MODEL_NAME


def find(explicit: str | None = None) -> Path:
    """The model folder: --model, then $BEKKENBODEM_MODEL, then models/. Raises UserError if unusable."""
    chosen = explicit or os.environ.get("BEKKENBODEM_MODEL")
    model_dir = Path(chosen) if chosen else default_dir()
    if not model_dir.exists():
        if chosen:
            raise UserError(f"Het spraakmodel {model_dir} bestaat niet.")
        raise UserError(f"Het Nederlandse spraakmodel ontbreekt. Haal het eenmalig op met: {FETCH_HINT}")
    missing = missing_files(model_dir)
    if missing or (not chosen and not (model_dir / MARKER).exists()):
        raise UserError(f"Het spraakmodel in {model_dir} is onvolledig of beschadigd. "
                        f"Installeer het opnieuw met: {FETCH_HINT}", detail=f"missing: {missing}")
    return model_dir


# -- installing from a zip ------------------------------------------------------------------------
def _safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = []
    for info in archive.infolist():
        name = PurePosixPath(info.filename)
        mode = info.external_attr >> 16
        if name.is_absolute() or ".." in name.parts or info.filename.startswith(("/", "\\")) or ":" in name.parts[0]:
            raise UserError("Dit zipbestand is onveilig (het schrijft buiten de modelmap). Niets geïnstalleerd.",
                            detail=f"unsafe member {info.filename!r}")
        if stat.S_ISLNK(mode):
            raise UserError("Dit zipbestand bevat koppelingen en is daarom geweigerd. Niets geïnstalleerd.",
                            detail=f"symlink member {info.filename!r}")
        members.append(info)
    return members


def _model_root(folder: Path) -> Path | None:
    """The folder inside an extraction that holds conf/model.conf (the zip usually has one top folder)."""
    for conf in sorted(folder.rglob("conf/model.conf")):
        return conf.parent.parent
    return None


def tune_endpoint(model_dir: Path) -> None:
    conf = model_dir / "conf" / "model.conf"
    lines = [line for line in conf.read_text(encoding="utf-8").splitlines()
             if line.split("=")[0].strip() not in ENDPOINT]
    lines += [f"{k}={v}" for k, v in ENDPOINT.items()]
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")


def install_zip(zip_path: Path, target: Path | None = None) -> Path:
    target = target or default_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as err:
        raise UserError(f"{zip_path} is geen leesbaar zipbestand (misschien half gedownload). Niets geïnstalleerd.",
                        detail=repr(err)) from None
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        with archive:
            members = _safe_members(archive)
            try:
                for info in members:
                    archive.extract(info, staging)
            except (zipfile.BadZipFile, OSError, EOFError) as err:
                raise UserError(f"{zip_path} is beschadigd. Niets geïnstalleerd.", detail=repr(err)) from None
        root = _model_root(staging)
        missing = missing_files(root) if root else list(REQUIRED)
        if missing or root is None:
            raise UserError(f"{zip_path} bevat geen volledig vosk-spraakmodel. Niets geïnstalleerd.",
                            detail=f"missing {missing}")
        tune_endpoint(root)
        (root / MARKER).write_text(zip_path.name + "\n", encoding="utf-8")
        old = None
        if target.exists():
            old = target.with_name(f".old-{target.name}-{os.getpid()}")
            os.replace(target, old)
        os.replace(root, target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# -- downloading ----------------------------------------------------------------------------------
def download(url: str = MODEL_URL, target: Path | None = None, progress: bool = True) -> Path:
    """Fetch the zip (resuming a partial download), then install it."""
    from tqdm import tqdm

    target = target or default_dir()
    partial = target.parent / ".download" / (PurePosixPath(url).name + ".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # nothing left to fetch: the partial file is complete
            response = None
        else:
            raise UserError(f"Het spraakmodel kon niet worden opgehaald (fout {err.code}). Probeer het later opnieuw.",
                            detail=f"{url}: {err!r}") from None
    except (urllib.error.URLError, OSError) as err:
        raise UserError("Het spraakmodel kon niet worden opgehaald: geen verbinding. Probeer het later opnieuw, "
                        "of installeer een gedownload zipbestand met: python -m assistant model install BESTAND.zip",
                        detail=f"{url}: {err!r}") from None
    if response is not None:
        with response:
            resumed = response.status == 206
            if not resumed:
                have = 0
            length = response.headers.get("Content-Length")
            total = have + int(length) if length else None
            with open(partial, "ab" if resumed else "wb") as out, tqdm(
                    total=total, initial=have, unit="B", unit_scale=True, desc=MODEL_NAME,
                    disable=not progress, leave=False) as bar:
                try:
                    while chunk := response.read(64 * 1024):
                        out.write(chunk)
                        bar.update(len(chunk))
                except (OSError, urllib.error.URLError, http.client.HTTPException) as err:
                    raise UserError("De download is onderbroken. Start hem opnieuw: hij gaat verder waar hij was.",
                                    detail=repr(err)) from None
            if total is not None and partial.stat().st_size < total:
                raise UserError("De download is onderbroken. Start hem opnieuw: hij gaat verder waar hij was.",
                                detail=f"got {partial.stat().st_size} of {total} bytes")
    try:
        installed = install_zip(partial, target)
    except UserError:
        partial.unlink(missing_ok=True)  # a complete but bad file: fetch anew next time
        raise
    partial.unlink(missing_ok=True)
    return installed
