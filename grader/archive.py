"""Turn what students handed in into folders the grader can read.

A class arrives as a folder of student folders and `.zip` files, or as one
`.zip` holding them (as course platforms export it). Every archive is
hostile until unpacked under caps: names stay inside the destination, no
links or special files are made, and bytes are counted as they are written,
never taken from the archive's own headers. Students zip their work in every
way: the module at the top, inside a folder named after the homework, beside
a `__MACOSX` folder.
"""

import hashlib
import logging
import os
import re
import shutil
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# how deep a module may sit below the folder a student handed in
MAX_DEPTH = 3
# how deep a hand-in is walked to list or fingerprint its files
WALK_DEPTH = 32
# folders that archivers and editors add, never the student's work
NOISE = ("__MACOSX", "__pycache__")
# files the desktop leaves in a folder of hand-ins, never a student's entry
DESKTOP_JUNK = ("Thumbs.db", "desktop.ini")

MiB = 1 << 20
# longest file or folder name that Linux and macOS accept, in bytes
MAX_NAME_BYTES = 255
# longest member path, well inside PATH_MAX once below a destination folder
MAX_PATH_BYTES = 1024
# a central-directory record: 46 fixed bytes, the name, room for extra fields
CENTRAL_RECORD_BYTES = 2048
# members smaller than this are never judged by compression ratio: short
# files of repeated text compress far better than anything large does
RATIO_FLOOR = 1 * MiB
# read and write unpacked data in pieces this large, so memory stays flat
CHUNK = 64 * 1024
# compression methods that every desktop zip tool writes and zlib reads with
# a bounded output per step (bzip2 and lzma in zipfile are not bounded)
METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
FLAG_ENCRYPTED = 0x1
FLAG_UTF8 = 0x800
END_RECORD = b"PK\x05\x06"
# the first bytes of archives students hand in instead of a zip
OTHER_FORMATS = {
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x1f\x8b": "a gzip file (.tar.gz?)",
    b"%PDF": "a PDF document",
}
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)
}
# longest name safe_name returns, hash included: 240 bytes even if every
# character is a 4-byte letter, under the 255 a file name may have
MAX_SAFE_NAME = 60
REZIP = "make the .zip again with your system's compress tool and hand it in again"


class ArchiveError(Exception):
    """A hand-in archive that cannot be unpacked safely; the message says why."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps on what one archive may unpack to; past any of them it is refused."""

    # a homework folder has tens of files; thousands means .git or a venv
    max_entries: int = 2_000
    # a hundred times a large hand-in, small enough for 400 students on disk
    max_total_bytes: int = 64 * MiB
    # the largest data file a homework plausibly ships
    max_file_bytes: int = 16 * MiB
    # source and data compress 2-10x; a zip bomb of zeros compresses ~1000x
    max_ratio: int = 200
    # folders below the archive's top; far deeper than any real project
    max_depth: int = 16


# one student's zip: the defaults above
STUDENT_LIMITS = ArchiveLimits()
# a platform's class export of about 400 students: ~50 files and ~5 MiB each
# on average, one member (a student's zip) as large as a student's whole
# unpacked cap, and room for a class folder and a student folder on top
CLASS_LIMITS = ArchiveLimits(
    max_entries=20_000,
    max_total_bytes=2048 * MiB,
    max_file_bytes=64 * MiB,
    max_depth=18,
)


# the kinds of Entry, in the order that decides which keeps a shared id
KINDS = ("folder", "zip", "file")


@dataclass(frozen=True)
class Entry:
    """One hand-in found in a submissions folder."""

    student: str
    path: Path
    kind: str  # "folder" | "zip" | "file"


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    name: str
    parts: tuple[str, ...]
    is_dir: bool


def find_submission_root(folder: Path, module: str) -> Path:
    """The folder that holds `module`.py: `folder` itself, or the one folder
    below it that does when that is unambiguous; else `folder` unchanged,
    so that the missing module is reported there.

    Only `MAX_DEPTH` levels are searched, `NOISE` and hidden folders are
    skipped, and folder links are never followed. A link or other non-folder
    named `module`.py counts as found, so that it is reported where it is.
    """
    folder = Path(folder)
    name = f"{module}.py"
    if os.path.lexists(folder / name):
        return folder
    found = list(_holders(folder, name, MAX_DEPTH - 1))
    return found[0] if len(found) == 1 else folder


def walk_files(folder: Path, max_depth: int = WALK_DEPTH) -> list[Path]:
    """Every regular file below `folder`, in name order, no deeper than
    `max_depth`; links and special files are left out and never followed."""
    found, stack = [], [(Path(folder), 0)]
    while stack:
        here, depth = stack.pop()
        try:
            children = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            continue
        for child in children:
            if child.is_dir(follow_symlinks=False) and depth < max_depth:
                stack.append((Path(child.path), depth + 1))
            elif child.is_file(follow_symlinks=False):
                found.append(Path(child.path))
    return sorted(found)


def printable(text: str) -> str:
    """A name as text that can be written anywhere: bytes a file name had
    that are not UTF-8 appear as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def missing_module(upload: Path, name: str) -> str:
    """Why a hand-in has no module to grade, in words for the student."""
    files = [printable(str(p.relative_to(upload))) for p in walk_files(upload)]
    if not files:
        return f"your upload is empty: upload your {name}"
    same = [f for f in files if Path(f).name == name]
    if len(same) > 1:
        return (
            f"your upload holds {len(same)} files named {name} ({', '.join(same[:5])}):"
            f" upload only the one to grade"
        )
    shown = ", ".join(files[:10]) + (", ..." if len(files) > 10 else "")
    return (
        f"no {name} found in your upload (it holds: {shown}): upload {name} "
        f"itself, or a zip of the folder that holds it, with exactly that name"
    )


def unpack_zip(
    archive: Path, dest: Path, limits: ArchiveLimits = STUDENT_LIMITS
) -> Path:
    """Unpack `archive` into `dest` (absent or empty) under `limits`; return dest.

    Raises ArchiveError, with `dest` left removed (or empty, if it existed),
    for a name that would land outside `dest` (absolute, a drive letter, a
    `..` part; a backslash is read as a folder separator, as Windows tools
    write it), a name twice or as both file and folder, an encrypted member,
    a method other than stored or deflate, a damaged or non-zip file, and any
    cap passed. Bytes are counted as they are written, so a header that lies
    about its size gains nothing. Links and special files in the archive are
    skipped (and logged), not made; files are written 0644 and folders 0755
    whatever the archive says; a zip inside the archive stays a file. Names
    not flagged UTF-8 are read as UTF-8 when they are valid, else as CP437.
    """
    archive, dest = Path(archive), Path(dest)
    created = _prepare_dest(dest)
    try:
        with _open_zip(archive, limits) as zf:
            members = _plan(zf, archive.name, limits)
            _extract(zf, members, dest, archive.name, limits)
    except BaseException:
        _clear(dest, created)
        raise
    return dest


def open_class_archive(
    archive: Path, dest: Path, limits: ArchiveLimits = CLASS_LIMITS
) -> Path:
    """Unpack a class export into `dest` and return the folder of its entries.

    When the archive holds one folder and nothing else (noise aside), that
    folder is returned, unless it has a .py file at its top: then it is a
    single student's folder and `dest` is the class. Student zips inside
    stay zips; unpack each with `unpack_zip` and the student limits.
    """
    dest = unpack_zip(archive, dest, limits)
    tops = [p for p in dest.iterdir() if not _ignored(p.name)]
    if len(tops) != 1 or tops[0].is_symlink() or not tops[0].is_dir():
        return dest
    if any(p.suffix == ".py" for p in tops[0].iterdir()):
        return dest
    return tops[0]


def submission_entries(root: Path) -> list[Entry]:
    """The hand-ins in `root`, one per student, sorted by student id.

    The id is the entry's name, without `.zip` for a zip. Dotfiles,
    `NOISE` and `DESKTOP_JUNK` are ignored. A link (whatever it points at)
    and anything neither a folder nor a `.zip` is kind "file", which cannot
    be graded. When two entries share an id, ignoring case (`ann/` and
    `Ann.zip`), both are kept: folder before zip before file, then by name,
    the first keeps its id and the others get their kind appended,
    `Ann (zip)`, then a number, `Ann (zip 2)`.
    Bytes in a name that are not UTF-8 appear as `\\xNN` in the id.
    """
    found = sorted(
        (_entry(p) for p in Path(root).iterdir() if not _ignored(p.name)),
        key=lambda e: (e.student.casefold(), e.student, KINDS.index(e.kind), e.path),
    )
    taken = {entry.student.casefold() for entry in found}
    return [
        _renamed(entry, taken) if i and _same(entry, found[i - 1]) else entry
        for i, entry in enumerate(found)
    ]


def safe_name(student: str) -> str:
    """A folder name for `student`'s output that is safe on any filesystem.

    Letters, digits and `-_.@` are kept, anything else becomes `_`; a
    leading or trailing dot, an empty name and a Windows device name are
    changed, and the result is at most `MAX_SAFE_NAME` characters. A changed
    name ends in `-` and 8 hex digits of a hash of the id, so that ids that
    differ only in replaced characters still get distinct folders.
    """
    composed = unicodedata.normalize("NFC", student)
    kept = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in composed)
    kept = re.sub(r"^\.|\.$", "_", kept[:MAX_SAFE_NAME]) or "_"
    if kept.split(".")[0].upper() in WINDOWS_RESERVED:
        kept = f"_{kept}"
    if kept == student:
        return kept
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kept[: MAX_SAFE_NAME - 9]}-{digest[:8]}"


def _holders(folder: Path, name: str, depth: int):
    """The folders below `folder`, at most `depth` down, holding `name`."""
    if depth <= 0:
        return
    try:
        children = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for child in children:
        if child.name in NOISE or child.name.startswith("."):
            continue
        if child.is_dir(follow_symlinks=False):
            if _is_module(Path(child.path, name)):
                yield Path(child.path)
            yield from _holders(Path(child.path), name, depth - 1)


def _is_module(path: Path) -> bool:
    """Whether `path` is there and is not a folder (a link counts)."""
    return path.is_symlink() or (path.exists() and not path.is_dir())


def _prepare_dest(dest: Path) -> bool:
    """Make `dest` ready to unpack into; True when it was created here."""
    if not os.path.lexists(dest):
        dest.mkdir(parents=True, mode=0o755)
        return True
    if dest.is_symlink() or not dest.is_dir() or any(dest.iterdir()):
        raise FileExistsError(
            f"cannot unpack into {dest}: it exists and is not an empty folder; "
            "pass a new or empty folder"
        )
    return False


def _clear(dest: Path, created: bool) -> None:
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _open_zip(archive: Path, limits: ArchiveLimits) -> zipfile.ZipFile:
    """Open `archive` after the checks that need only its size and first bytes."""
    name = archive.name
    info = archive.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise ArchiveError(f"{name} is not a regular file (a link?); {REZIP}")
    if info.st_size == 0:
        raise ArchiveError(f"{name} is empty (0 bytes); {REZIP}")
    most = limits.max_total_bytes + limits.max_entries * CENTRAL_RECORD_BYTES
    if info.st_size > most:
        raise ArchiveError(
            f"{name} is {info.st_size / MiB:.1f} MiB, more than the "
            f"{most / MiB:.1f} MiB the grader unpacks; hand in only your "
            "homework folder, without data sets or virtual environments"
        )
    with open(archive, "rb") as f:
        head = f.read(8)
    _check_declared_entries(archive, info.st_size, limits)
    try:
        return zipfile.ZipFile(archive)
    except UnicodeDecodeError:
        raise ArchiveError(
            f"{name} flags its file names as UTF-8 but one is not; {REZIP}"
        ) from None
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error) as error:
        raise ArchiveError(_not_zip(name, head, error)) from None


def _check_declared_entries(archive: Path, size: int, limits: ArchiveLimits):
    """Refuse an archive whose table of contents is too long to read safely."""
    with open(archive, "rb") as f:
        f.seek(max(0, size - (1 << 16) - 22))
        tail = f.read()
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) < at + 22:
        return  # not a zip: zipfile says so with its own reason
    entries, directory = struct.unpack("<HL", tail[at + 10 : at + 16])
    if entries > limits.max_entries:
        raise ArchiveError(_too_many(archive.name, entries, limits))
    if directory > limits.max_entries * CENTRAL_RECORD_BYTES:
        raise ArchiveError(
            f"{archive.name} has a table of contents of {directory} bytes, "
            f"more than {limits.max_entries} entries need; {REZIP}"
        )


def _not_zip(name: str, head: bytes, error: Exception) -> str:
    for magic, kind in OTHER_FORMATS.items():
        if head.startswith(magic):
            return f"{name} is {kind}, not a zip file; {REZIP}"
    if head.startswith(b"PK\x03\x04"):
        return (
            f"{name} is a damaged or cut-short zip file ({error}); it may not "
            f"have finished uploading: {REZIP}"
        )
    return f"{name} is not a zip file (it starts with {head!r}); {REZIP}"


def _too_many(name: str, entries: int, limits: ArchiveLimits) -> str:
    return (
        f"{name} holds {entries} entries, more than the {limits.max_entries} "
        "the grader unpacks; hand in only your homework folder (leave out "
        ".git, virtual environments and data sets)"
    )


def _plan(zf: zipfile.ZipFile, name: str, limits: ArchiveLimits) -> list[_Member]:
    """Check every member's name and flags before anything is written."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveError(_too_many(name, len(infos), limits))
    members, skipped = [], 0
    for info in infos:
        member = _member(info, name, limits)
        if member is None:
            skipped += 1
        elif member.parts:
            members.append(member)
    _check_layout(members, name)
    if not any(not m.is_dir for m in members):
        links = f" ({skipped} links or special files were skipped)" if skipped else ""
        raise ArchiveError(f"{name} holds no files{links}; {REZIP}")
    return members


def _member(info: zipfile.ZipInfo, archive: str, limits: ArchiveLimits):
    """The checked member for `info`, or None for a link or special file."""
    name = _decoded_name(info)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        log.warning("%s: skipped %r, a link or special file", archive, name)
        return None
    if info.flag_bits & FLAG_ENCRYPTED:
        raise ArchiveError(
            f"{archive} has a password on {name!r}; the grader cannot read "
            f"encrypted files: {REZIP}, without a password"
        )
    if info.compress_type not in METHODS:
        raise ArchiveError(
            f"{archive} compresses {name!r} with method {info.compress_type}, "
            "which the grader does not unpack (only stored and deflate); "
            f"{REZIP}, with the default settings"
        )
    is_dir = name.endswith(("/", "\\")) or kind == stat.S_IFDIR
    return _Member(info, name, _safe_parts(name, archive, limits), is_dir)


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The member's name: UTF-8 when flagged or valid, else CP437 as read."""
    if info.flag_bits & FLAG_UTF8:
        return info.orig_filename
    try:
        return info.orig_filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.orig_filename


def _safe_parts(name: str, archive: str, limits: ArchiveLimits) -> tuple[str, ...]:
    """The folders and file of `name`, or ArchiveError when it could escape."""
    path = name.replace("\\", "/")
    parts = tuple(p for p in path.split("/") if p not in ("", "."))
    problem = _name_problem(name, path, parts, limits)
    if problem:
        raise ArchiveError(
            f"{archive} holds a file whose name {name!r} {problem}, so it "
            f"could land outside its folder; {REZIP} from the homework folder"
        )
    return parts


def _name_problem(name: str, path: str, parts: tuple[str, ...], limits) -> str:
    if re.search(r"[\x00-\x1f\x7f]", name):
        return "has a control character"
    if path.startswith("/"):
        return "is an absolute path"
    if re.match(r"[A-Za-z]:", path):
        return "starts with a drive letter"
    if ".." in parts:
        return "climbs out with '..'"
    if len(parts) > limits.max_depth + 1:
        return f"is more than {limits.max_depth} folders deep"
    if len(path.encode()) > MAX_PATH_BYTES:
        return "is too long"
    if any(len(p.encode()) > MAX_NAME_BYTES for p in parts):
        return "has a part too long for a file name"
    return ""


def _check_layout(members: list[_Member], archive: str) -> None:
    """Refuse a name given twice, or given both to a file and to a folder."""
    files: dict[tuple[str, ...], str] = {}
    folders: set[tuple[str, ...]] = set()
    for m in members:
        folders.update(m.parts[:i] for i in range(1, len(m.parts)))
        if m.is_dir:
            folders.add(m.parts)
        elif m.parts in files:
            raise ArchiveError(
                f"{archive} holds {m.name!r} twice, so it is unclear which to "
                f"grade; {REZIP}"
            )
        else:
            files[m.parts] = m.name
    for parts in sorted(files.keys() & folders):
        raise ArchiveError(
            f"{archive} holds {files[parts]!r} both as a file and as a folder; {REZIP}"
        )


def _extract(zf, members: list[_Member], dest: Path, archive: str, limits) -> None:
    """Write every member below `dest`, counting bytes against `limits`."""
    total = 0
    for m in members:
        folder = m.parts if m.is_dir else m.parts[:-1]
        _make_folders(dest, folder)
        if not m.is_dir:
            total += _write_file(zf, m, dest, archive, limits, total)


def _make_folders(dest: Path, parts: tuple[str, ...]) -> None:
    path = dest
    for part in parts:
        path = path / part
        try:
            os.mkdir(path, 0o755)
            os.chmod(path, 0o755)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise


def _write_file(zf, m: _Member, dest: Path, archive: str, limits, total: int) -> int:
    """Stream one member to its file; the bytes written."""
    written = 0
    try:
        with zf.open(m.info) as source, _create(dest.joinpath(*m.parts)) as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                _check_growth(m, archive, limits, written, total + written)
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise ArchiveError(
            f"{archive} is damaged at {m.name!r} ({error}); it may not have "
            f"finished uploading: {REZIP}"
        ) from None
    return written


def _create(target: Path):
    """A new file at `target`, mode 0644, never through an existing name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(target, flags, 0o644)
    os.fchmod(fd, 0o644)
    return os.fdopen(fd, "wb")


def _check_growth(m: _Member, archive: str, limits, written: int, total: int):
    """Stop a member the moment what it unpacked to passes a cap."""
    problem = _growth_problem(m, limits, written, total)
    if problem:
        raise ArchiveError(
            f"{archive}: {m.name!r} {problem}, a cap the grader keeps so that "
            "one hand-in cannot fill its disk; hand in only your homework "
            "folder, without large data files"
        )


def _growth_problem(m: _Member, limits, written: int, total: int) -> str:
    if written > limits.max_file_bytes:
        return f"unpacks to more than {limits.max_file_bytes / MiB:g} MiB"
    if total > limits.max_total_bytes:
        return f"takes the archive past {limits.max_total_bytes / MiB:g} MiB"
    ratio = written / max(m.info.compress_size, 1)
    if written > RATIO_FLOOR and ratio > limits.max_ratio:
        return f"unpacks to over {limits.max_ratio} times its packed size"
    return ""


def _entry(path: Path) -> Entry:
    name = os.fsencode(path.name).decode("utf-8", "backslashreplace")
    if path.is_symlink():
        return Entry(name, path, "file")
    if path.is_dir():
        return Entry(name, path, "folder")
    if path.is_file() and name.lower().endswith(".zip") and len(name) > 4:
        return Entry(name[:-4], path, "zip")
    return Entry(name, path, "file")


def _renamed(entry: Entry, taken: set[str]) -> Entry:
    """`entry` under the first id `student (kind)`, `(kind 2)`, ... not taken."""
    student, n = f"{entry.student} ({entry.kind})", 1
    while student.casefold() in taken:
        n += 1
        student = f"{entry.student} ({entry.kind} {n})"
    taken.add(student.casefold())
    return Entry(student, entry.path, entry.kind)


def _same(entry: Entry, other: Entry) -> bool:
    """Whether two ids would share an output folder on a case-blind disk."""
    return entry.student.casefold() == other.student.casefold()


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in NOISE or name in DESKTOP_JUNK
