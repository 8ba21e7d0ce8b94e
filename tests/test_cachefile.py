"""The cache file: a pickle with its large arrays beside it, mapped when read; damage costs only
time, and a write that fails leaves nothing behind."""

import errno
import logging
import pickle

import numpy as np
import pytest

from assistant import cachefile


def test_large_arrays_come_back_equal_and_mapped_small_ones_inside(tmp_path):
    big = np.arange(500_000, dtype=np.float32).reshape(1000, 500)   # 2 MB: the file is mapped
    small = np.arange(10, dtype=np.int16)
    value = {"big": big, "small": small, "text": "één zin"}
    path = tmp_path / "t.pickle"
    assert cachefile.write(path, value)
    back = cachefile.read(path, dict)
    assert back is not None and back["text"] == "één zin"
    assert np.array_equal(back["big"], big) and back["big"].dtype == np.float32 and back["big"].shape == (1000, 500)
    assert np.array_equal(back["small"], small)
    assert not back["big"].flags.writeable            # mapped from the file, not copied
    assert back["small"].flags.writeable              # unpickled inside the stream
    assert back["big"].ctypes.data % 64 == 0          # aligned as numpy aligns its own
    assert path.stat().st_size > big.nbytes
    assert list(tmp_path.iterdir()) == [path]         # no temporary file left


@pytest.mark.parametrize("damage", ["cut", "empty", "garbage", "spans"])
def test_a_damaged_file_reads_as_none_and_is_logged(tmp_path, caplog, damage):
    path = tmp_path / "t.pickle"
    assert cachefile.write(path, {"big": np.ones(200_000)})
    data = path.read_bytes()
    if damage == "cut":
        path.write_bytes(data[:-1000])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(cachefile.MAGIC + b"\xff" * 5000)
    else:   # an array said to begin inside the pickle
        path.write_bytes(data[:24] + (24).to_bytes(8, "little") + data[32:])
    with caplog.at_level(logging.WARNING):
        assert cachefile.read(path, dict) is None
    assert "making it anew" in caplog.text


def test_a_plain_pickle_of_an_earlier_version_is_still_read(tmp_path):
    path = tmp_path / "t.pickle"
    path.write_bytes(pickle.dumps({"a": np.arange(5)}, protocol=4))
    back = cachefile.read(path, dict)
    assert back is not None and list(back["a"]) == [0, 1, 2, 3, 4]


def test_another_kind_reads_as_none(tmp_path):
    path = tmp_path / "t.pickle"
    assert cachefile.write(path, [1, 2, 3])
    assert cachefile.read(path, dict) is None
    assert cachefile.read(tmp_path / "missing.pickle", dict) is None


def test_a_full_disk_keeps_nothing_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "t.pickle"

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(cachefile.os, "replace", full)
    assert not cachefile.write(path, {"big": np.ones(200_000)})
    assert list(tmp_path.iterdir()) == []


def test_a_file_system_that_cannot_map_files_is_read_instead(tmp_path, monkeypatch):
    path = tmp_path / "t.pickle"
    big = np.arange(500_000, dtype=np.float32)
    assert cachefile.write(path, {"big": big})

    def cannot(*_, **__):
        raise OSError(19, "No such device")
    monkeypatch.setattr(cachefile.mmap, "mmap", cannot)
    back = cachefile.read(path, dict)
    assert back is not None and np.array_equal(back["big"], big)
