"""Archive unpacking and hand-in listing, against hostile archives built here."""

import hashlib
import io
import os
import re
import stat
import struct
import zipfile
from contextlib import nullcontext
from pathlib import Path

import pytest

from grader.archive import (
    CLASS_LIMITS,
    MAX_SAFE_NAME,
    STUDENT_LIMITS,
    ArchiveError,
    ArchiveLimits,
    Entry,
    find_submission_root,
    open_class_archive,
    safe_name,
    submission_entries,
    unpack_zip,
)

MiB = 1 << 20
OPS = b"def matmul_backward(a, b, g):\n    return g @ b.T, a.T @ g\n"


def make_zip(path: Path, members, method=zipfile.ZIP_DEFLATED) -> Path:
    """Write `members`, (name or ZipInfo, bytes) pairs, into a zip at `path`."""
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members:
            info = name if isinstance(name, zipfile.ZipInfo) else _info(name)
            info.compress_type = method
            zf.writestr(info, data)
    return path


def _info(name: str, mode: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    return info


def patch_name(path: Path, placeholder: bytes, raw: bytes) -> Path:
    """Put the raw bytes `raw` where the zip holds the name `placeholder`."""
    data = path.read_bytes()
    assert data.count(placeholder) == 2  # local header and central directory
    path.write_bytes(data.replace(placeholder, raw))
    return path


def set_flag(path: Path, name: str, bit: int) -> Path:
    """Set general-purpose flag `bit` on member `name`, in both its headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    end = data.rfind(b"PK\x05\x06")
    (at,) = struct.unpack("<L", data[end + 16 : end + 20])
    while data[at : at + 4] == b"PK\x01\x02":
        sizes = struct.unpack("<HHH", data[at + 28 : at + 34])
        if data[at + 46 : at + 46 + sizes[0]] == name.encode():
            _or_short(data, at + 8, bit)
        at += 46 + sum(sizes)
    _or_short(data, local + 6, bit)
    path.write_bytes(bytes(data))
    return path


def _or_short(data: bytearray, at: int, bit: int) -> None:
    (value,) = struct.unpack_from("<H", data, at)
    struct.pack_into("<H", data, at, value | bit)


def claim_size(path: Path, size: int) -> Path:
    """Make a one-member zip's headers claim `size` unpacked bytes."""
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (directory,) = struct.unpack("<L", data[end + 16 : end + 20])
    struct.pack_into("<L", data, 22, size)  # local header: uncompressed size
    struct.pack_into("<L", data, directory + 24, size)  # central record
    path.write_bytes(bytes(data))
    return path


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path below `folder`, relative, with file contents (None: folder)."""
    return {
        p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def sentinel(tmp_path):
    """A folder that must end up holding nothing but what unpack_zip made."""
    folder = tmp_path / "sentinel"
    folder.mkdir()
    return folder


def assert_refused(archive, sentinel, match, limits=STUDENT_LIMITS):
    """unpack_zip refuses `archive` and leaves nothing in or beside dest."""
    dest = sentinel / "out"
    with pytest.raises(ArchiveError, match=match) as caught:
        unpack_zip(archive, dest, limits)
    assert list(sentinel.iterdir()) == []
    assert archive.name in str(caught.value)
    return str(caught.value)


# unpacking what honest tools make


def test_unpacks_folders_files_and_unicode_names(tmp_path):
    archive = make_zip(
        tmp_path / "ann.zip",
        [("hw1/", b""), ("hw1/ops.py", OPS), ("résumé/学生.txt", "é".encode())],
    )
    dest = unpack_zip(archive, tmp_path / "out")
    assert dest == tmp_path / "out"
    assert tree(dest) == {
        "hw1": None,
        "hw1/ops.py": OPS,
        "résumé": None,
        "résumé/学生.txt": "é".encode(),
    }


def test_unpacks_into_an_existing_empty_folder(tmp_path):
    (tmp_path / "out").mkdir()
    unpack_zip(make_zip(tmp_path / "a.zip", [("ops.py", OPS)]), tmp_path / "out")
    assert tree(tmp_path / "out") == {"ops.py": OPS}


def test_a_failure_leaves_an_existing_empty_folder_empty(tmp_path):
    archive = make_zip(
        tmp_path / "bomb.zip", [("ops.py", OPS), ("zeros.bin", bytes(4 * MiB))]
    )
    (tmp_path / "out").mkdir()
    with pytest.raises(ArchiveError, match="200 times"):
        unpack_zip(archive, tmp_path / "out")
    assert tree(tmp_path / "out") == {}


def test_unpacks_a_streamed_zip_with_data_descriptors(tmp_path):
    class Pipe:  # what zipfile writes to when it cannot seek back
        def __init__(self):
            self.data = io.BytesIO()

        def write(self, data):
            return self.data.write(data)

        def flush(self):
            pass

    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hw1/ops.py", OPS)
    data = pipe.data.getvalue()
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].flag_bits & 0x8
    (tmp_path / "mac.zip").write_bytes(data)
    assert tree(unpack_zip(tmp_path / "mac.zip", tmp_path / "out")) == {
        "hw1": None,
        "hw1/ops.py": OPS,
    }


def test_refuses_a_destination_that_is_not_new_or_empty(tmp_path):
    archive = make_zip(tmp_path / "a.zip", [("ops.py", OPS)])
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    for dest in (tmp_path / "full", tmp_path / "link", archive):
        with pytest.raises(FileExistsError, match="not an empty folder"):
            unpack_zip(archive, dest)
    assert tree(tmp_path / "full") == {"keep.txt": b"mine"}
    assert tree(tmp_path / "elsewhere") == {}


def test_backslashes_are_folder_separators(tmp_path):
    archive = make_zip(tmp_path / "win.zip", [("hw1\\ops.py", OPS)])
    assert tree(unpack_zip(archive, tmp_path / "out")) == {
        "hw1": None,
        "hw1/ops.py": OPS,
    }


def test_names_flagged_or_valid_utf8_are_read_as_utf8(tmp_path):
    archive = make_zip(tmp_path / "mac.zip", [("caf??.py", OPS)])
    patch_name(archive, b"caf??.py", "café.py".encode())  # UTF-8, no flag
    assert tree(unpack_zip(archive, tmp_path / "out")) == {"café.py": OPS}


def test_a_name_that_is_not_utf8_unpacks_as_cp437(tmp_path):
    archive = make_zip(tmp_path / "latin1.zip", [("caf?.py", OPS)])
    patch_name(archive, b"caf?.py", b"caf\xe9.py")  # Latin-1 bytes, no flag
    assert tree(unpack_zip(archive, tmp_path / "out")) == {"cafΘ.py": OPS}


def test_a_name_flagged_utf8_that_is_not_is_refused(tmp_path, sentinel):
    archive = make_zip(tmp_path / "liar.zip", [("caf?.py", OPS)])
    set_flag(archive, "caf?.py", 0x800)
    patch_name(archive, b"caf?.py", b"caf\xe9.py")
    assert_refused(archive, sentinel, "flags its file names as UTF-8")


def test_permissions_in_the_zip_are_not_applied(tmp_path):
    archive = make_zip(
        tmp_path / "modes.zip",
        [
            (_info("bin/", stat.S_IFDIR | 0o777), b""),
            (_info("bin/run", stat.S_IFREG | 0o6777), b"#!/bin/sh\n"),
            (_info("secret.py", stat.S_IFREG | 0o000), OPS),
        ],
    )
    umask = os.umask(0o077)  # modes are fixed, not left to the umask
    try:
        dest = unpack_zip(archive, tmp_path / "out")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((dest / "bin").stat().st_mode) == 0o755
    assert stat.S_IMODE((dest / "bin" / "run").stat().st_mode) == 0o644
    assert stat.S_IMODE((dest / "secret.py").stat().st_mode) == 0o644


def test_a_zip_inside_the_zip_stays_a_file(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", [("ops.py", OPS)])
    archive = make_zip(tmp_path / "ann.zip", [("hw1/inner.zip", inner.read_bytes())])
    dest = unpack_zip(archive, tmp_path / "out")
    assert tree(dest) == {"hw1": None, "hw1/inner.zip": inner.read_bytes()}
    assert zipfile.is_zipfile(dest / "hw1" / "inner.zip")


# names that would land outside dest


@pytest.mark.parametrize(
    "name, problem",
    [
        ("../x", "climbs out"),
        ("a/../../x", "climbs out"),
        ("..\\x", "climbs out"),
        ("a\\..\\..\\x", "climbs out"),
        ("/etc/x", "absolute path"),
        ("\\etc\\x", "absolute path"),
        ("\\\\server\\share\\x", "absolute path"),
        ("C:\\x", "drive letter"),
        ("c:x", "drive letter"),
        ("ops\x1b[2J.py", "control character"),
        ("/".join(["d"] * 17) + "/ops.py", "more than 16 folders deep"),
        ("x" * 256 + ".py", "too long for a file name"),
        ("/".join(["d" * 200] * 6), "is too long"),
    ],
)
def test_refuses_names_that_could_escape(tmp_path, sentinel, name, problem):
    archive = make_zip(tmp_path / "evil.zip", [("ops.py", OPS), (name, b"owned")])
    message = assert_refused(archive, sentinel, problem)
    assert repr(name) in message
    assert tree(tmp_path) == {"evil.zip": archive.read_bytes(), "sentinel": None}


def test_refuses_a_name_with_a_nul_byte(tmp_path, sentinel):
    archive = make_zip(tmp_path / "nul.zip", [("ops.pyZ/../../x", b"owned")])
    patch_name(archive, b"ops.pyZ", b"ops.py\x00")
    assert_refused(archive, sentinel, r"'ops.py\\x00/../../x' has a control")


def test_an_absolute_name_into_a_real_folder_writes_nothing(tmp_path, sentinel):
    target = tmp_path / "target"
    target.mkdir()
    archive = make_zip(tmp_path / "evil.zip", [(f"{target}/owned", b"owned")])
    assert_refused(archive, sentinel, "absolute path")
    assert list(target.iterdir()) == []


def test_links_and_special_files_are_skipped(tmp_path, caplog):
    archive = make_zip(
        tmp_path / "links.zip",
        [
            (_info("ops.py", stat.S_IFREG | 0o644), OPS),
            (_info("passwd", stat.S_IFLNK | 0o777), b"/etc/passwd"),
            (_info("up", stat.S_IFLNK | 0o777), b"../../.."),
            (_info("fifo", stat.S_IFIFO | 0o644), b""),
        ],
    )
    dest = unpack_zip(archive, tmp_path / "out")
    assert tree(dest) == {"ops.py": OPS}
    assert not os.path.lexists(dest / "passwd")
    assert "'passwd', a link or special file" in caplog.text


def test_a_zip_of_nothing_but_links_is_refused(tmp_path, sentinel):
    link = (_info("ops.py", stat.S_IFLNK | 0o777), b"/etc/passwd")
    archive = make_zip(tmp_path / "links.zip", [link])
    assert_refused(archive, sentinel, r"no files \(1 links or special files")


def test_a_file_under_a_link_cannot_follow_it(tmp_path, sentinel):
    archive = make_zip(
        tmp_path / "evil.zip",
        [
            (_info("up", stat.S_IFLNK | 0o777), str(tmp_path).encode()),
            ("up/owned", b"owned"),
        ],
    )
    dest = unpack_zip(archive, sentinel / "out")
    assert tree(dest) == {"up": None, "up/owned": b"owned"}
    assert not (tmp_path / "owned").exists()


@pytest.mark.parametrize(
    "names",
    [
        ["ops.py", "ops.py"],
        ["hw1/ops.py", "hw1\\ops.py"],
        ["hw1/ops.py", "hw1/./ops.py"],
    ],
)
def test_refuses_a_name_given_twice(tmp_path, sentinel, names):
    same = names[0] == names[1]
    with pytest.warns(UserWarning, match="Duplicate") if same else nullcontext():
        archive = make_zip(tmp_path / "twice.zip", [(n, OPS) for n in names])
    assert_refused(archive, sentinel, "twice, so it is unclear which to grade")


def test_refuses_a_name_that_is_both_file_and_folder(tmp_path, sentinel):
    archive = make_zip(tmp_path / "both.zip", [("hw1/ops.py", OPS), ("hw1", b"x")])
    assert_refused(archive, sentinel, "'hw1' both as a file and as a folder")


# archives that are not zips, are damaged or locked


def test_refuses_an_empty_file(tmp_path, sentinel):
    (tmp_path / "ops.zip").write_bytes(b"")
    assert_refused(tmp_path / "ops.zip", sentinel, r"ops.zip is empty \(0 bytes\)")


def test_refuses_a_file_that_is_not_a_zip(tmp_path, sentinel):
    (tmp_path / "ops.zip").write_bytes(OPS)
    message = assert_refused(tmp_path / "ops.zip", sentinel, "is not a zip file")
    assert "starts with b'def matm'" in message
    assert "compress tool" in message


def test_names_the_format_of_another_archive(tmp_path, sentinel):
    (tmp_path / "ops.zip").write_bytes(b"Rar!\x1a\x07\x00" + bytes(100))
    assert_refused(tmp_path / "ops.zip", sentinel, "is a RAR archive, not a zip")


def test_refuses_a_zip_that_holds_no_files(tmp_path, sentinel):
    archive = make_zip(tmp_path / "empty.zip", [("hw1/", b"")])
    assert_refused(archive, sentinel, "holds no files;")


def test_refuses_a_truncated_zip(tmp_path, sentinel):
    whole = make_zip(tmp_path / "whole.zip", [("ops.py", os.urandom(4096))])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[:3000])
    assert_refused(cut, sentinel, "damaged or cut-short zip file")


def test_refuses_corrupt_data_and_removes_what_it_wrote(tmp_path, sentinel):
    archive = make_zip(
        tmp_path / "bad.zip",
        [("a.py", OPS), ("b.bin", os.urandom(8192))],
        method=zipfile.ZIP_STORED,
    )
    data = bytearray(archive.read_bytes())
    data[data.index(b"b.bin") + 100] ^= 0xFF  # a byte of b.bin's contents
    archive.write_bytes(bytes(data))
    assert_refused(archive, sentinel, "damaged at 'b.bin'.*CRC")


def test_refuses_a_header_that_understates_the_size(tmp_path, sentinel):
    archive = make_zip(tmp_path / "liar.zip", [("zeros.bin", bytes(20 * MiB))])
    assert_refused(claim_size(archive, 10), sentinel, "damaged at 'zeros.bin'")


def test_refuses_an_encrypted_member(tmp_path, sentinel):
    archive = make_zip(
        tmp_path / "locked.zip", [("readme.txt", b"hi"), ("ops.py", OPS)]
    )
    set_flag(archive, "ops.py", 0x1)
    assert_refused(archive, sentinel, "has a password on 'ops.py'")


def test_refuses_a_method_zlib_cannot_bound(tmp_path, sentinel):
    archive = make_zip(tmp_path / "bz.zip", [("ops.py", OPS)], method=zipfile.ZIP_BZIP2)
    assert_refused(archive, sentinel, "with method 12, .*only stored and deflate")


def test_refuses_an_archive_given_as_a_link(tmp_path, sentinel):
    real = make_zip(tmp_path / "real.zip", [("ops.py", OPS)])
    (tmp_path / "ann.zip").symlink_to(real)
    assert_refused(tmp_path / "ann.zip", sentinel, "not a regular file")


# caps, counted as bytes are written


def test_a_zip_bomb_stops_at_the_ratio_cap(tmp_path, sentinel):
    archive = make_zip(
        tmp_path / "bomb.zip", [("ops.py", OPS), ("zeros.bin", bytes(20 * MiB))]
    )
    assert archive.stat().st_size < 100_000
    assert_refused(archive, sentinel, "'zeros.bin' unpacks to over 200 times")


def test_a_header_that_overstates_the_size_gains_nothing(tmp_path, sentinel):
    archive = make_zip(tmp_path / "liar.zip", [("zeros.bin", bytes(3 * MiB))])
    claim_size(archive, 1 << 31)
    limits = ArchiveLimits(max_file_bytes=1 * MiB, max_ratio=10**6)
    assert_refused(archive, sentinel, "'zeros.bin' unpacks to more than 1 MiB", limits)


def test_a_large_file_stops_at_the_file_cap(tmp_path, sentinel):
    archive = make_zip(tmp_path / "big.zip", [("zeros.bin", bytes(3 * MiB))])
    limits = ArchiveLimits(max_file_bytes=1 * MiB, max_ratio=10**6)
    assert_refused(archive, sentinel, "'zeros.bin' unpacks to more than 1 MiB", limits)


def test_many_files_stop_at_the_total_cap(tmp_path, sentinel):
    members = [(f"data/{n}.bin", os.urandom(400 * 1024)) for n in range(3)]
    archive = make_zip(tmp_path / "many.zip", members, method=zipfile.ZIP_STORED)
    limits = ArchiveLimits(max_total_bytes=1 * MiB)
    assert_refused(
        archive, sentinel, "'data/2.bin' takes the archive past 1 MiB", limits
    )


def test_a_file_within_every_cap_unpacks(tmp_path):
    data = bytes(3 * MiB)
    archive = make_zip(tmp_path / "ok.zip", [("zeros.bin", data)], zipfile.ZIP_STORED)
    assert tree(unpack_zip(archive, tmp_path / "out")) == {"zeros.bin": data}


def test_too_many_entries_are_refused_before_unpacking(tmp_path, sentinel):
    members = [(f"f{n}.py", b"") for n in range(STUDENT_LIMITS.max_entries + 1)]
    archive = make_zip(tmp_path / "venv.zip", members, method=zipfile.ZIP_STORED)
    assert_refused(archive, sentinel, "holds 2001 entries, more than the 2000")


def test_an_entry_count_that_lies_is_still_caught(tmp_path, sentinel):
    archive = make_zip(tmp_path / "liar.zip", [(f"f{n}", b"") for n in range(11)])
    data = bytearray(archive.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # entries on disk, in total
    archive.write_bytes(bytes(data))
    assert_refused(archive, sentinel, "holds 11 entries", ArchiveLimits(max_entries=10))


def test_a_table_of_contents_too_long_for_its_entries_is_refused(tmp_path, sentinel):
    names = [("x" * 200 + str(n), b"") for n in range(11)]
    archive = make_zip(tmp_path / "long.zip", names, method=zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    struct.pack_into("<HH", data, data.rfind(b"PK\x05\x06") + 8, 1, 1)
    archive.write_bytes(bytes(data))
    limits = ArchiveLimits(max_entries=1)
    assert_refused(archive, sentinel, "table of contents of 2[0-9]{3} bytes", limits)


def test_an_archive_larger_than_the_total_cap_is_refused(tmp_path, sentinel):
    archive = make_zip(
        tmp_path / "huge.zip", [("r.bin", os.urandom(MiB))], zipfile.ZIP_STORED
    )
    limits = ArchiveLimits(max_total_bytes=MiB // 2, max_entries=1)
    assert_refused(archive, sentinel, "huge.zip is 1.0 MiB, more than the 0.5", limits)


# the class archive


def test_class_limits_are_at_least_a_students():
    for field in ("max_entries", "max_total_bytes", "max_file_bytes", "max_depth"):
        assert getattr(CLASS_LIMITS, field) > getattr(STUDENT_LIMITS, field)
    assert CLASS_LIMITS.max_ratio == STUDENT_LIMITS.max_ratio


def test_opens_a_class_export_and_descends_into_its_folder(tmp_path):
    ann = make_zip(tmp_path / "ann.zip", [("hw1/ops.py", OPS)])
    export = make_zip(
        tmp_path / "class.zip",
        [
            ("submissions/ann.zip", ann.read_bytes()),
            ("submissions/bob/ops.py", OPS),
            ("__MACOSX/submissions/._bob", b"\x00"),
        ],
    )
    root = open_class_archive(export, tmp_path / "class")
    assert root == tmp_path / "class" / "submissions"
    assert submission_entries(root) == [
        Entry("ann", root / "ann.zip", "zip"),
        Entry("bob", root / "bob", "folder"),
    ]
    student = unpack_zip(root / "ann.zip", tmp_path / "students" / "ann")
    assert find_submission_root(student, "ops") == student / "hw1"


def test_a_class_export_with_entries_at_its_top_is_returned_as_is(tmp_path):
    export = make_zip(tmp_path / "class.zip", [("ann/ops.py", OPS), ("bob/x", b"")])
    assert open_class_archive(export, tmp_path / "class") == tmp_path / "class"


def test_a_single_students_folder_is_not_mistaken_for_the_class(tmp_path):
    export = make_zip(tmp_path / "class.zip", [("ann/ops.py", OPS)])
    assert open_class_archive(export, tmp_path / "class") == tmp_path / "class"


def test_a_class_export_may_hold_a_zip_larger_than_a_students_file_cap(tmp_path):
    big = bytes(STUDENT_LIMITS.max_file_bytes + 1)
    export = make_zip(tmp_path / "class.zip", [("c/ann.zip", big)], zipfile.ZIP_STORED)
    root = open_class_archive(export, tmp_path / "class")
    assert (root / "ann.zip").stat().st_size == len(big)
    with pytest.raises(ArchiveError, match="more than 16 MiB"):
        unpack_zip(export, tmp_path / "as-student")


# listing hand-ins


def test_lists_a_mixed_submissions_folder(tmp_path):
    root = tmp_path / "subs"
    for folder in ("ann", "Zoe", "émile", "__MACOSX", ".git", "ann (zip)"):
        (root / folder).mkdir(parents=True)
    make_zip(root / "ann.zip", [("ops.py", OPS)])
    make_zip(root / "bob.ZIP", [("ops.py", OPS)])
    for stray in ("carl.rar", ".DS_Store", "Thumbs.db"):
        (root / stray).write_bytes(b"x")
    (root / "dave").symlink_to(root / "ann")
    (root / "eve.zip").symlink_to(root / "ann.zip")
    os.mkdir(os.path.join(os.fsencode(root), b"caf\xe9"))

    assert submission_entries(root) == [
        Entry("ann", root / "ann", "folder"),
        Entry("ann (zip 2)", root / "ann.zip", "zip"),
        Entry("ann (zip)", root / "ann (zip)", "folder"),
        Entry("bob", root / "bob.ZIP", "zip"),
        Entry("caf\\xe9", root / os.fsdecode(b"caf\xe9"), "folder"),
        Entry("carl.rar", root / "carl.rar", "file"),
        Entry("dave", root / "dave", "file"),
        Entry("eve.zip", root / "eve.zip", "file"),
        Entry("Zoe", root / "Zoe", "folder"),
        Entry("émile", root / "émile", "folder"),
    ]


def test_an_id_shared_by_several_kinds_is_kept_for_each(tmp_path):
    (tmp_path / "ann").mkdir()
    make_zip(tmp_path / "ann.zip", [("ops.py", OPS)])
    make_zip(tmp_path / "ann.Zip", [("ops.py", OPS)])
    (tmp_path / "ann.txt").write_text("")
    entries = submission_entries(tmp_path)
    assert [(e.student, e.path.name, e.kind) for e in entries] == [
        ("ann", "ann", "folder"),
        ("ann (zip)", "ann.Zip", "zip"),
        ("ann (zip 2)", "ann.zip", "zip"),
        ("ann.txt", "ann.txt", "file"),
    ]


def test_ids_that_differ_only_in_case_are_told_apart(tmp_path):
    (tmp_path / "Ann").mkdir()
    make_zip(tmp_path / "ann.zip", [("ops.py", OPS)])
    (tmp_path / "ANN (zip)").mkdir()
    entries = submission_entries(tmp_path)
    assert [(e.student, e.kind) for e in entries] == [
        ("Ann", "folder"),
        ("ann (zip 2)", "zip"),
        ("ANN (zip)", "folder"),
    ]
    assert len({safe_name(e.student).casefold() for e in entries}) == 3


# safe names for output folders

HOSTILE_IDS = [
    "../x",
    ".",
    "..",
    "...",
    "a/b",
    "a\\b",
    "a_b",
    "a:b",
    "",
    "x" * 300,
    "𠀀" * 100,
    ".hidden",
    "CON",
    "nul.txt",
    "ann (zip)",
    "José",
    "Jose\u0301",
    "رضا\u202e",
    "caf\udce9",
    "tab\there",
]


@pytest.mark.parametrize("student", HOSTILE_IDS)
def test_safe_names_are_safe_folder_names(tmp_path, student):
    name = safe_name(student)
    assert re.fullmatch(r"[\w.@-]+", name)
    assert name not in (".", "..") and not name.startswith(".")
    assert len(name) <= MAX_SAFE_NAME and len(name.encode()) <= 255
    assert safe_name(name) == name
    (tmp_path / name).mkdir()
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_changed_name_ends_in_a_hash_of_the_id():
    digest = hashlib.sha256(b"a/b").hexdigest()[:8]
    assert safe_name("a/b") == f"a_b-{digest}"
    assert (
        safe_name("x" * 300)
        == "x" * (MAX_SAFE_NAME - 9)
        + "-"
        + (hashlib.sha256(b"x" * 300).hexdigest()[:8])
    )


def test_ordinary_ids_are_kept():
    for student in ("ann", "jdoe@uni.edu", "s1234567", "Zoë", "李雷", "a-b_c.d"):
        assert safe_name(student) == student


def test_distinct_ids_get_distinct_names():
    names = [safe_name(s) for s in HOSTILE_IDS]
    assert len(set(names)) == len(HOSTILE_IDS)


# finding the module in a hand-in


def put(root: Path, *paths: str) -> Path:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(OPS)
    return root


@pytest.mark.parametrize(
    "files, found",
    [
        (["ops.py", "hw1/ops.py"], "."),
        (["hw1/ops.py"], "hw1"),
        (["hw1/src/ops.py", "hw1/notes.txt"], "hw1/src"),
        (["a/b/c/ops.py"], "."),
        (["hw1/ops.py", "__MACOSX/hw1/ops.py", ".git/ops.py"], "hw1"),
        (["hw1/ops.py", "__pycache__/ops.py"], "hw1"),
        (["hw1/ops.py", "old/ops.py"], "."),
        (["hw1/ops.py/readme", "hw2/ops.py"], "hw2"),
        (["hw1/other.py"], "."),
    ],
)
def test_find_submission_root(tmp_path, files, found):
    put(tmp_path, *files)
    assert find_submission_root(tmp_path, "ops") == (tmp_path / found)


def test_find_submission_root_does_not_follow_folder_links(tmp_path):
    put(tmp_path / "elsewhere", "ops.py")
    (tmp_path / "hand-in").mkdir()
    (tmp_path / "hand-in" / "hw1").symlink_to(tmp_path / "elsewhere")
    assert find_submission_root(tmp_path / "hand-in", "ops") == tmp_path / "hand-in"


def test_find_submission_root_reports_a_linked_module_where_it_is(tmp_path):
    (tmp_path / "hw1").mkdir()
    (tmp_path / "hw1" / "ops.py").symlink_to("/etc/passwd")
    assert find_submission_root(tmp_path, "ops") == tmp_path / "hw1"
    (tmp_path / "ops.py").symlink_to(tmp_path / "missing")
    assert find_submission_root(tmp_path, "ops") == tmp_path
