"""The speech model: find it, download it (resumable, with progress), install it from a zip.

Installation is safe and atomic: members are checked before anything is written (no absolute
paths, no '..', no links, the model's files all there, at most MAX_UNPACKED bytes and MAX_MEMBERS
files declared, and room for them on the disk), extraction happens in a hidden staging folder and
stops when a member writes more than it declared, the project's end-of-speech settings are
written into conf/model.conf, and only then is the folder moved into place. A half-finished
download or extraction never looks like a model.
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
import zlib
from pathlib import Path, PurePosixPath

from assistant import errors, paths
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

# Limits for a zip: the largest Dutch vosk model (vosk-model-nl-spraakherkenning-0.6) unpacks to
# under 2 GB, the small one to about 80 MB. 3 GiB leaves room for a bigger future model and stops
# a zip bomb long before it fills a disk.
MAX_UNPACKED = 3 * 1024**3       # bytes, declared by all members together
MAX_MEMBERS = 20_000             # files and folders (the big model has a few hundred)
FREE_MARGIN = 200 * 1024**2      # bytes left free on the disk after the extraction
CHUNK = 1024 * 1024
READ_TIMEOUT = 30.0              # seconds without a byte before a download counts as stalled


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
    """Our end-of-speech settings into conf/model.conf; its other lines are kept byte for byte
    (Kaldi reads bytes: a line in another encoding is not ours to judge)."""
    conf = model_dir / "conf" / "model.conf"
    keys = {k.encode() for k in ENDPOINT}
    lines = [line for line in conf.read_bytes().splitlines() if line.split(b"=")[0].strip() not in keys]
    lines += [f"{k}={v}".encode() for k, v in ENDPOINT.items()]
    conf.write_bytes(b"\n".join(lines) + b"\n")


def _model_prefix(names: set[str]) -> str | None:
    """The folder inside the zip that holds the model ("" or "name/"), judged from the names only."""
    prefixes = sorted((n[: -len("conf/model.conf")] for n in names if n.endswith("conf/model.conf")), key=len)
    for prefix in prefixes:
        if prefix == "" or prefix.endswith("/"):
            return prefix
    return None


def _check_before_extracting(zip_path: Path, members: list[zipfile.ZipInfo], folder: Path) -> None:
    """Everything that can be known from the zip's directory, before one byte is written."""
    names = {m.filename for m in members}
    prefix = _model_prefix(names)
    missing = list(REQUIRED) if prefix is None else [f for f in REQUIRED if prefix + f not in names]
    if prefix is not None and not any(all(prefix + f in names for f in graph) for graph in GRAPHS):
        missing.append(" + ".join(GRAPHS[0]))
    if missing:
        raise UserError(f"{zip_path} bevat geen volledig vosk-spraakmodel. Niets geïnstalleerd.",
                        detail=f"missing {missing}")
    declared = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or declared > MAX_UNPACKED:
        raise UserError(f"{zip_path} is te groot om een spraakmodel te zijn (uitgepakt {declared / 1e9:.1f} GB in "
                        f"{len(members)} bestanden; de grens is {MAX_UNPACKED / 1e9:.1f} GB). Niets geïnstalleerd.",
                        detail=f"declared {declared} bytes in {len(members)} members")
    free = shutil.disk_usage(folder).free
    if declared + FREE_MARGIN > free:
        raise UserError(f"Er is te weinig ruimte op de schijf voor het spraakmodel: het heeft "
                        f"{(declared + FREE_MARGIN) / 1e6:.0f} MB nodig en er is {free / 1e6:.0f} MB vrij in {folder}. "
                        "Niets geïnstalleerd.", detail=f"declared {declared}, free {free}",
                        exit_code=errors.EXIT_DISK_FULL)


class _TooLong(Exception):
    pass


def _open_output(path: Path):
    return open(path, "wb")


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, staging: Path) -> None:
    """One member, copied in chunks; stops as soon as it writes more than it declared."""
    dest = staging.joinpath(*PurePosixPath(info.filename).parts)
    if info.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as src, _open_output(dest) as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > info.file_size:
                raise _TooLong(f"{info.filename}: more than the declared {info.file_size} bytes")
            out.write(chunk)


def _disk_error(err: OSError, where: Path, what: str) -> UserError:
    kind = errors.os_fault(err)
    if kind == "full":
        return UserError(f"De schijf is vol: {what} past niet in {where}. Maak ruimte vrij en probeer het opnieuw. "
                         "Niets geïnstalleerd.", repr(err), errors.EXIT_DISK_FULL)
    if kind == "permission":
        return UserError(f"U mag niet schrijven in {where}; kies een map die van u is met BEKKENBODEM_MODELS=MAP. "
                         "Niets geïnstalleerd.", repr(err), errors.EXIT_PERMISSION)
    if kind == "folder":
        return UserError(f"Op de plaats van de modelmap {where} staat een bestand; hernoem het of kies een andere "
                         "map met BEKKENBODEM_MODELS=MAP. Niets geïnstalleerd.", repr(err), errors.EXIT_FOLDER)
    return UserError(f"{what} kon niet worden geschreven in {where} (een fout van de schijf). Niets geïnstalleerd.",
                     repr(err), errors.EXIT_DISK_FULL)


def models_folder(target: Path) -> Path:
    """The folder the model goes in, made if needed; a file in its place or no permission is a
    clear error that names it."""
    folder = target.parent
    for parent in [folder, *folder.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise _disk_error(OSError(20, "not a directory"), parent, "het spraakmodel")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _disk_error(err, folder, "het spraakmodel") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _disk_error(OSError(13, "not writable"), folder, "het spraakmodel")
    return folder


def install_zip(zip_path: Path, target: Path | None = None) -> Path:
    target = target or default_dir()
    folder = models_folder(target)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise UserError(f"{zip_path} is geen leesbaar zipbestand (misschien half gedownload). Niets geïnstalleerd.",
                        detail=repr(err)) from None
    with archive:
        members = _safe_members(archive)
        _check_before_extracting(zip_path, members, folder)
        try:
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
        except OSError as err:
            raise _disk_error(err, folder, "het spraakmodel") from None
        try:
            for info in members:
                try:
                    _extract(archive, info, staging)
                except OSError as err:     # the disk, not the zip
                    raise _disk_error(err, folder, "het spraakmodel") from None
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, _TooLong) as err:
                    raise UserError(f"{zip_path} is beschadigd. Niets geïnstalleerd.", detail=repr(err)) from None
            return _put_in_place(zip_path, staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _put_in_place(zip_path: Path, staging: Path, target: Path) -> Path:
    root = _model_root(staging)
    missing = missing_files(root) if root else list(REQUIRED)
    if missing or root is None:
        raise UserError(f"{zip_path} bevat geen volledig vosk-spraakmodel. Niets geïnstalleerd.",
                        detail=f"missing {missing}")
    try:
        tune_endpoint(root)
        (root / MARKER).write_text(zip_path.name + "\n", encoding="utf-8")
        old = None
        if target.exists():
            old = target.with_name(f".old-{target.name}-{os.getpid()}")
            os.replace(target, old)
        os.replace(root, target)
    except OSError as err:
        raise _disk_error(err, target.parent, "het spraakmodel") from None
    if old:
        shutil.rmtree(old, ignore_errors=True)
    return target


def check(explicit: str | None = None) -> Path:
    """``find``, and then load it with vosk: a folder vosk cannot load is not a model."""
    from assistant.audio.recogniser import load_model
    model_dir = find(explicit)
    load_model(model_dir)
    return model_dir


# -- downloading ----------------------------------------------------------------------------------
def _content_length(value: str | None) -> int | None:
    """A server's Content-Length, or None when it sent none or nonsense ("abc", "-5")."""
    try:
        length = int(value) if value is not None else None
    except ValueError:
        log.info("ignoring a bad Content-Length: %r", value)
        return None
    return length if length is not None and length >= 0 else None


def download(url: str = MODEL_URL, target: Path | None = None, progress: bool = True) -> Path:
    """Fetch the zip (resuming a partial download), then install it."""
    from tqdm import tqdm

    target = target or default_dir()
    folder = models_folder(target)
    partial = folder / ".download" / (PurePosixPath(url).name + ".part")
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _disk_error(err, partial.parent, "de download") from None
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=READ_TIMEOUT)
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
            length = _content_length(response.headers.get("Content-Length"))
            total = have + length if length is not None else None
            try:
                out = open(partial, "ab" if resumed else "wb")
            except OSError as err:
                raise _disk_error(err, partial.parent, "de download") from None
            with out, tqdm(total=total, initial=have, unit="B", unit_scale=True, desc=MODEL_NAME,
                           disable=not progress, leave=False) as bar:
                while True:
                    try:
                        # read1: what has arrived, at once; a stalled server loses us no byte.
                        chunk = response.read1(64 * 1024)
                    except (OSError, urllib.error.URLError, http.client.HTTPException, ValueError) as err:
                        raise UserError("De download is onderbroken. Start hem opnieuw: hij gaat verder waar hij was.",
                                        detail=repr(err)) from None
                    if not chunk:
                        break
                    try:
                        out.write(chunk)
                        out.flush()
                    except OSError as err:
                        raise _disk_error(err, partial.parent, "de download") from None
                    bar.update(len(chunk))
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
