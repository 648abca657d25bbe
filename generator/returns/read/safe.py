"""Opening untrusted returned files safely: regular files only, reads capped by the bytes actually read, zip-bomb
limits, XML without entities or DTDs."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

from . import NotReadable

MAX_FILE = 50 * 1024 * 1024        # a returned .docx or .pdf
MAX_MEMBERS = 2000                 # parts in a .docx package
MAX_UNPACKED = 200 * 1024 * 1024   # all parts together, unpacked
MAX_PART = 60 * 1024 * 1024        # one part, unpacked

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


def read_file(path: Path) -> bytes:
    """The bytes of a returned file; NotReadable unless it is a regular file of at most MAX_FILE bytes.

    Opened without blocking (a named pipe put in its place cannot hang the read) and checked on the open
    file itself; the size is the bytes actually read, never the size the file system reports (which is 0
    for /dev/zero and pipes).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotReadable("not a regular file (a pipe, device or socket); only files are read")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= MAX_FILE:
            chunk = os.read(fd, min(1 << 20, MAX_FILE + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    check_size(data)
    return data


def check_size(data: bytes) -> None:
    if len(data) > MAX_FILE:
        raise NotReadable(f"the file is over {MAX_FILE // (1024 * 1024)} MB; at most {MAX_FILE // (1024 * 1024)} "
                          "MB is read")


def open_zip(data: bytes) -> dict[str, bytes]:
    """The parts of a zip package, read with limits: a zip bomb or a huge member is refused, not unpacked."""
    check_size(data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotReadable(f"not a Word document (.docx is a zip package): {exc}") from None
    if len(infos) > MAX_MEMBERS:
        raise NotReadable(f"the package has {len(infos)} parts; at most {MAX_MEMBERS} are read")
    twice = sorted(n for n, k in Counter(i.filename for i in infos).items() if k > 1)
    if twice:
        raise NotReadable(f"the package holds two parts named {twice[0]}, which Word and LibreOffice never write; "
                          "it is not read, since either could be the one a reader takes")
    if any(i.flag_bits & 0x1 for i in infos):
        raise NotReadable("the document is encrypted or password-protected; save it without a password")
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as fh:
                body = fh.read(MAX_PART + 1)  # never trust the declared size: read at most one byte too many
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            raise NotReadable(f"damaged package part {info.filename}: {exc}") from None
        if len(body) > MAX_PART:
            raise NotReadable(f"package part {info.filename} unpacks to over {MAX_PART // (1024 * 1024)} MB")
        total += len(body)
        if total > MAX_UNPACKED:
            raise NotReadable(f"the package unpacks to over {MAX_UNPACKED // (1024 * 1024)} MB (a zip bomb?)")
        parts[info.filename] = body
    return parts


def parse_xml(data: bytes, what: str) -> etree._Element:
    """Parse one XML part: no DTD, no entity expansion, no network; a DOCTYPE is refused outright."""
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise NotReadable(f"{what} declares a DOCTYPE or entities, which Word documents never do; refused")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotReadable(f"{what} is not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise NotReadable(f"{what} declares a DOCTYPE, which Word documents never do; refused")
    return root
