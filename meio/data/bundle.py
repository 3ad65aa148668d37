"""Single-file instance bundles: a zip archive of the instance's CSV files.

A bundle holds exactly the files of an instance directory (the CSV tables of docs/data-format.md and
``instance.toml``), deflate-compressed, either at the root of the archive or inside one
top-level folder (as when a directory is zipped by hand). Other files beside them are listed
(:meth:`ZipSource.files`) so the loader can warn about misspelt or stray ones. pandas reads each member
straight from the archive, so a bundle loads through the same parsing and validation
as a directory and violations name the file inside the bundle and its line.

Why a zip and not Parquet: see ``docs/data-format-bundles.md`` (no new dependency,
line numbers kept, loading within a fraction of a second of the directory).
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from meio.data.bundled import BUNDLED_DIR, bundled_names
from meio.data.schema import INSTANCE_FILES
from meio.data.tables import DirectorySource, TableSource
from meio.errors import MeioError

#: File name suffix of a bundle.
BUNDLE_SUFFIX = ".zip"
#: Archive folders that zip tools add beside the instance (macOS resource forks): never read.
IGNORED_FOLDERS = ("__MACOSX/",)
#: zlib level used when writing bundles (6 is zlib's default: a good size/time balance).
DEFAULT_LEVEL = 6


@dataclass(frozen=True)
class ZipSource:
    """The files of an instance inside a zip bundle.

    ``members`` maps each instance file to its archive member; ``listing`` names every file
    beside them (instance files or not), so misspelt or stray files can be reported.
    """

    path: Path
    members: dict[str, str] = field(default_factory=dict)
    listing: tuple[str, ...] = ()

    @classmethod
    def open_bundle(cls, path: Path) -> ZipSource:
        """Index the instance files of the bundle at ``path``; :class:`MeioError` if it is not one."""
        try:
            with zipfile.ZipFile(path) as archive:
                names = [info.filename for info in archive.infolist()
                         if not info.is_dir() and not info.filename.startswith(IGNORED_FOLDERS)]
        except (zipfile.BadZipFile, OSError) as error:
            raise MeioError(f"{path} is not a readable instance bundle (zip): {error}") from error
        folder = _instance_folder(names, path)
        listing = tuple(sorted(n[len(folder):] for n in names if n.startswith(folder) and "/" not in n[len(folder):]))
        return cls(path, {f: folder + f for f in listing if f in INSTANCE_FILES}, listing)

    def has(self, file: str) -> bool:
        return file in self.members

    def open(self, file: str) -> IO[bytes]:
        try:
            return zipfile.ZipFile(self.path).open(self.members[file])
        except (zipfile.BadZipFile, OSError, RuntimeError) as error:  # RuntimeError: encrypted member
            raise MeioError(f"{self.path}: cannot read {file} from the bundle: {error}") from error

    def files(self) -> list[str]:
        return list(self.listing)


def _instance_folder(names: list[str], path: Path) -> str:
    """Where the instance files are: ``""`` (the root) or the single top-level folder, with its ``/``."""
    if any(n in INSTANCE_FILES for n in names):
        return ""
    folders = {n.split("/", 1)[0] for n in names if "/" in n}
    if len(folders) == 1:
        return f"{folders.pop()}/"
    raise MeioError(f"{path} holds no instance files (expected {', '.join(INSTANCE_FILES[:2])}, ... "
                    "at the root of the archive or in one top-level folder)")


def is_bundle_path(path: Path) -> bool:
    """Whether ``path`` names a bundle file (an existing zip, or a new path ending in ``.zip``)."""
    if path.is_file():
        return zipfile.is_zipfile(path)
    return path.suffix.lower() == BUNDLE_SUFFIX


def open_instance(path_or_name: str | Path) -> tuple[TableSource, Path]:
    """The source of an instance given as a directory, a bundle file or a bundled instance name."""
    path = Path(path_or_name)
    if path.is_dir():
        return DirectorySource(path), path
    if path.is_file():
        if zipfile.is_zipfile(path):
            return ZipSource.open_bundle(path), path
        raise MeioError(f"{path} is neither an instance directory nor an instance bundle (zip file)")
    if isinstance(path_or_name, str) and path_or_name in bundled_names():
        return DirectorySource(BUNDLED_DIR / path_or_name), BUNDLED_DIR / path_or_name
    bundled_file = BUNDLED_DIR / f"{path_or_name}{BUNDLE_SUFFIX}"
    if isinstance(path_or_name, str) and "/" not in path_or_name and bundled_file.is_file():
        return ZipSource.open_bundle(bundled_file), bundled_file
    names = ", ".join(bundled_names()) or "none"
    raise MeioError(f"no instance directory or bundle '{path}' and no bundled instance of that name "
                    f"(bundled: {names})")


def instance_name(path: Path) -> str:
    """The default name of an instance stored at ``path`` (a bundle's name without ``.zip``), from its
    absolute path so that ``.`` or ``..`` give the directory's own name."""
    name = path.resolve().name
    return name[: -len(BUNDLE_SUFFIX)] if name.lower().endswith(BUNDLE_SUFFIX) else name


def write_bundle(source: TableSource, target: Path, level: int = DEFAULT_LEVEL) -> Path:
    """Copy the instance files of ``source`` byte for byte into a new bundle at ``target``."""
    partial = target.with_name(target.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
            for file in INSTANCE_FILES:
                if source.has(file):
                    with source.open(file) as reader, archive.open(file, "w", force_zip64=True) as writer:
                        shutil.copyfileobj(reader, writer, 1 << 20)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise MeioError(f"cannot write bundle {target}: {error}") from error
    return target


def write_directory(source: TableSource, target: Path) -> Path:
    """Copy the instance files of ``source`` byte for byte into the directory ``target``.

    Instance files already in ``target`` that ``source`` lacks are removed, so the
    directory holds exactly the source instance.
    """
    try:
        target.mkdir(parents=True, exist_ok=True)
        for file in INSTANCE_FILES:
            if source.has(file):
                with source.open(file) as reader, (target / file).open("wb") as writer:
                    shutil.copyfileobj(reader, writer, 1 << 20)
            else:
                (target / file).unlink(missing_ok=True)
    except OSError as error:
        raise MeioError(f"cannot write instance directory {target}: {error}") from error
    return target
