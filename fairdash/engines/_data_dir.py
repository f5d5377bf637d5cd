"""A server-side data folder: the logs an app user may open, and nothing outside it.

A prediction log of gigabytes is not uploaded through a browser; the server's
operator puts it (or a link to it) in one folder, ``FAIRDASH_DATA_DIR``, and
users choose among what is there. A chosen name is resolved inside that folder
only: absolute paths, ``..`` and symbolic links that lead out are refused.
"""

from __future__ import annotations

import os

from fairdash._errors import InputError
from fairdash.engines._sources import _format_of, resolve_files

__all__ = ["DATA_DIR_VARIABLE", "list_data_dir", "resolve_in_data_dir"]

#: The environment variable naming the server-side data folder.
DATA_DIR_VARIABLE = "FAIRDASH_DATA_DIR"


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def _root(data_dir: str | os.PathLike) -> str:
    root = os.path.realpath(os.fspath(data_dir))
    if not os.path.isdir(root):
        raise InputError(f"The data folder {os.fspath(data_dir)!r} does not exist.")
    return root


def resolve_in_data_dir(name: str, *, data_dir: str | os.PathLike) -> str:
    """The path of ``name`` inside the data folder, refused if it leads out.

    Parameters
    ----------
    name : str
        A file or folder, relative to ``data_dir`` (as :func:`list_data_dir` gives).
    data_dir : str or path
        The server-side data folder.

    Returns
    -------
    str
        The real path (links resolved) of the file or folder.

    Raises
    ------
    fairdash.InputError
        For an absolute path, a ``..`` component, a path (or a file in a
        folder) whose links lead outside the data folder, or a name that does
        not exist or holds no Parquet/CSV file.
    """
    root = _root(data_dir)
    text = str(name).strip()
    if not text:
        raise InputError("Choose a file or folder of the data folder.")
    if os.path.isabs(text) or text.startswith("~"):
        raise InputError(
            f"{text!r} is an absolute path; only names inside the data folder can be opened."
        )
    if ".." in text.replace("\\", "/").split("/"):
        raise InputError(f"{text!r} leads out of the data folder ('..' is not allowed).")
    path = os.path.realpath(os.path.join(root, text))
    if not _inside(path, root):
        raise InputError(f"{text!r} is a link that leads out of the data folder; it is refused.")
    if not os.path.exists(path):
        raise InputError(f"There is no {text!r} in the data folder.")
    files, _ = resolve_files(path)
    for file in files:
        if not _inside(os.path.realpath(file), root):
            shown = os.path.relpath(file, path)
            raise InputError(
                f"{shown!r} in {text!r} is a link that leads out of the data folder; "
                "it is refused."
            )
    return path


def list_data_dir(data_dir: str | os.PathLike) -> list[str]:
    """The logs in the data folder: its Parquet/CSV files and its folders that hold one.

    Only the top level is listed (a folder of Parquet parts is one log); names
    whose links lead out of the folder are left out.

    Parameters
    ----------
    data_dir : str or path

    Returns
    -------
    list of str
        Names relative to ``data_dir``, sorted; folders end with ``/``.
    """
    root = _root(data_dir)
    out = []
    for entry in sorted(os.listdir(root)):
        if entry.startswith("."):
            continue
        path = os.path.realpath(os.path.join(root, entry))
        if not _inside(path, root):
            continue
        if os.path.isdir(path):
            try:
                resolve_in_data_dir(entry, data_dir=root)
            except InputError:
                continue
            out.append(entry + "/")
        elif _format_of(entry) is not None:
            out.append(entry)
    return out
