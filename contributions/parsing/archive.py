"""An XLSX archive checked before anything in it is inflated, and its structure (content types,
workbook, relationships) read with a defused XML parser.

The sizes come from the ZIP directory, which zipfile enforces when it inflates a part (it never
returns more than the declared size, and a part that would is a CRC error): a bomb is refused from
the directory alone, before a byte of it is decompressed. Every part counts, however small: the
ratio is checked per part (above a few KB, where deflate's overhead makes ratios meaningless) and
over the whole archive, and the total is capped.
"""

import io
import mmap
import posixpath
import zipfile
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext_noop

from ..texts import Text
from .parsed import Unreadable

XLSX_MAX_UNCOMPRESSED = 300 * 1024 * 1024  # all parts together, once inflated
XLSX_MAX_RATIO = 100  # uncompressed / compressed, per part and for the whole archive
XLSX_RATIO_FROM = 64 * 1024  # a part smaller than this once inflated is too small to matter alone
XLSX_RATIO_SLACK = 1024 * 1024  # the whole archive may exceed the ratio by this much (tiny workbooks)
XLSX_MAX_PARTS = 10_000
XLSX_MAX_STRUCTURE_BYTES = 16 * 1024 * 1024  # content types, workbook, relationships: read whole
XML_SUFFIXES = (".xml", ".rels", ".vml")

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"


def check_xlsx_archive(data: bytes | mmap.mmap) -> zipfile.ZipFile:
    """The archive, once it is known to be a workbook that is safe to open (no bomb, no macros, no DTD)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(
            "corrupt_xlsx",
            Text(gettext_noop("The file starts like an XLSX (ZIP) archive but is damaged: %(exc)s."), exc=str(exc)),
        )
    check_sizes(infos)  # from the directory: nothing has been inflated yet
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macros()
    if WORKBOOK not in names:
        raise Unreadable(
            "unsupported_type", Text(gettext_noop("This is a ZIP archive, not an Excel workbook (.xlsx)."))
        )
    for info in infos:
        # The whole part is scanned, in bounded chunks: a DTD may follow a long comment at the top.
        if info.filename.endswith(XML_SUFFIXES) and member_contains(
            archive, info.filename, (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype")
        ):
            raise Unreadable(
                "xml_entities_refused",
                Text(
                    gettext_noop(
                        "%(filename)s declares a DTD or XML entities, which real workbooks never do (an XML bomb or"
                        " external entity attack); the file was refused."
                    ),
                    filename=str(info.filename),
                ),
            )
    if CONTENT_TYPES in names:
        types = read_structure(archive, CONTENT_TYPES)
        if any("macroenabled" in (e.get("ContentType") or "").lower() for e in types.iter()):
            raise _macros()
    return archive


def check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a possible zip bomb from the declared sizes alone."""
    if len(infos) > XLSX_MAX_PARTS:
        raise Unreadable(
            "zip_bomb",
            Text(
                gettext_noop(
                    "The workbook has %(count)s parts; real workbooks have far fewer than %(xlsx_max_parts)s. "
                    "The file was refused as a possible zip bomb."
                ),
                count=f"{len(infos):,}",
                xlsx_max_parts=f"{XLSX_MAX_PARTS:,}",
            ),
        )
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise Unreadable(
            "zip_bomb",
            Text(
                gettext_noop(
                    "The workbook would expand to %(value)s MB; the limit is %(value2)s MB. Export it as CSV instead."
                ),
                value=f"{total / 1000000.0:,.0f}",
                value2=f"{XLSX_MAX_UNCOMPRESSED / 1000000.0:,.0f}",
            ),
        )
    for info in infos:
        if info.file_size > XLSX_RATIO_FROM and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise Unreadable(
                "zip_bomb",
                Text(
                    gettext_noop(
                        "%(filename)s is compressed %(value)s times, more than a real workbook ever is; the file "
                        "was refused as a possible zip bomb."
                    ),
                    filename=str(info.filename),
                    value=f"{info.file_size / max(info.compress_size, 1):,.0f}",
                ),
            )
    compressed = sum(i.compress_size for i in infos)
    if total > XLSX_MAX_RATIO * compressed + XLSX_RATIO_SLACK:
        raise Unreadable(
            "zip_bomb",
            Text(
                gettext_noop(
                    "The workbook's %(count)s parts would expand from %(value)s MB to %(value2)s MB (%(value3)s"
                    " times), more than a real workbook ever does; the file was refused as a possible zip bomb."
                ),
                count=f"{len(infos):,}",
                value=f"{compressed / 1000000.0:,.1f}",
                value2=f"{total / 1000000.0:,.0f}",
                value3=f"{total / max(compressed, 1):,.0f}",
            ),
        )


def _macros() -> Unreadable:
    return Unreadable(
        "macros_refused",
        Text(
            gettext_noop(
                "The workbook contains macros (VBA). Save it as a plain .xlsx workbook without macros, or as CSV."
            )
        ),
    )


def read_structure(archive: zipfile.ZipFile, name: str) -> Element:
    """A small structural part parsed by defusedxml (no DTD, no entities): whatever its comments hold,
    parsing takes time linear in its size."""
    info = archive.getinfo(name)
    if info.file_size > XLSX_MAX_STRUCTURE_BYTES:
        raise Unreadable(
            "corrupt_xlsx",
            Text(
                gettext_noop("%(name)s is %(value)s MB; in a real workbook it is a few KB. The file was refused."),
                name=str(name),
                value=f"{info.file_size / 1000000.0:,.0f}",
            ),
        )
    try:
        root: Element = SafeET.fromstring(archive.read(name), forbid_dtd=True)
    except DefusedXmlException:
        raise Unreadable(
            "xml_entities_refused",
            Text(
                gettext_noop(
                    "%(name)s declares a DTD or XML entities, which real workbooks never do; the file was refused."
                ),
                name=str(name),
            ),
        )
    except ParseError as exc:
        raise Unreadable(
            "corrupt_xlsx",
            Text(
                gettext_noop("The workbook is damaged: %(name)s is not well-formed XML (%(exc)s)."),
                name=str(name),
                exc=str(exc),
            ),
        )
    return root


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its XML part, from the workbook and its relationships."""
    names = set(archive.namelist())
    targets: dict[str, str] = {}
    if WORKBOOK_RELS in names:
        for element in read_structure(archive, WORKBOOK_RELS).iter():
            if _local(element.tag) == "Relationship" and element.get("Id") and element.get("Target"):
                targets[str(element.get("Id"))] = str(element.get("Target"))
    paths = {}
    for element in read_structure(archive, WORKBOOK).iter():
        if _local(element.tag) != "sheet":
            continue
        name = element.get("name")
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        if name is not None and rid in targets:
            target = targets[str(rid)]
            path = _resolve(target)
            paths[name] = path if path in names or target.lstrip("/") not in names else target.lstrip("/")
    return paths


def _local(tag: Any) -> str:
    """An element's or attribute's name without its namespace."""
    return str(tag).rsplit("}", 1)[-1]


def _resolve(target: str) -> str:
    """A relationship target of xl/workbook.xml as a part name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def member_contains(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> bool:
    """Whether a part holds one of `needles`, read in chunks (a part never sits whole in memory)."""
    if name not in archive.namelist():
        return True  # unknown layout: check cell by cell
    longest = max(len(n) for n in needles)
    with archive.open(name) as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            block = tail + chunk
            if any(n in block for n in needles):
                return True
            tail = block[-longest:]
    return False
