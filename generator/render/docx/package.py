"""The .docx package around the document: what the file says about itself, which parts it carries, its bytes.

python-docx starts from a template made in Word for Mac: its app.xml claims "Microsoft Macintosh Word" with
stale page and word counts, it carries a blank thumbnail and an empty bibliography data part. These are
replaced or dropped here; the plan's own parts (custom properties that identify the client and build, and the
tag map that lets a filled plan be read back after any editor saved it) are added.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from ...files import zip_bytes
from . import compat
from .xml import MC_NS, W14_NS, W15_NS

CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id of user-defined properties
TAGMAP_ITEM_ID = "{6A2F0E5C-5B1D-4E0B-9E3A-3C2B7D1F4A01}"


def drop_template_leftovers(doc) -> None:
    """Drop the template's thumbnail, bibliography data part and Word 2010 stylesWithEffects copy."""
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype == RT.CUSTOM_XML:
            part.drop_rel(rid)
    package = part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]


def _part(doc, reltype: str):
    return next((rel.target_part for rel in doc.part.package.rels.values() if rel.reltype == reltype), None)


def set_custom_properties(doc, values: dict[str, str]) -> None:
    """docProps/custom.xml with the given text properties (kept by Word and LibreOffice alike)."""
    props = "".join(f'<property fmtid="{FMTID}" pid="{pid}" name="{escape(name)}"><vt:lpwstr>{escape(value)}'
                    f'</vt:lpwstr></property>' for pid, (name, value) in enumerate(sorted(values.items()), start=2))
    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{CUSTOM_PROPS}" '
            f'xmlns:vt="{VT}">{props}</Properties>').encode()
    _put_part(doc, RT.CUSTOM_PROPERTIES, "/docProps/custom.xml",
              "application/vnd.openxmlformats-officedocument.custom-properties+xml", blob)


def set_app_properties(doc, application: str, company: str) -> None:
    """docProps/app.xml written by us: the generating application and the provider, no stale statistics."""
    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{EXTENDED}" '
            f'xmlns:vt="{VT}"><Template>Normal.dotm</Template><Application>{escape(application)}</Application>'
            f'<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>{escape(company)}</Company>'
            f'<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
            f'<HyperlinksChanged>false</HyperlinksChanged></Properties>').encode()
    _put_part(doc, RT.EXTENDED_PROPERTIES, "/docProps/app.xml",
              "application/vnd.openxmlformats-officedocument.extended-properties+xml", blob)


def _put_part(doc, reltype: str, partname: str, content_type: str, blob: bytes) -> None:
    """Replace the package-level part of this relationship type, or add it."""
    existing = _part(doc, reltype)
    if existing is not None and compat.set_blob(existing, blob):
        return
    package = doc.part.package
    if existing is not None:  # python-docx's public way: the old part's relationship goes, a new part comes
        for rid in [rid for rid, rel in package.rels.items() if rel.reltype == reltype]:
            del package.rels[rid]
    package.relate_to(Part(PackURI(partname), content_type, blob, package), reltype)


def add_tagmap(doc, xml: bytes) -> None:
    """The tag map as a custom XML data part of the document (with its item properties, as Word writes)."""
    package = doc.part.package
    item = Part(PackURI("/customXml/item1.xml"), "application/xml", xml, package)
    props = Part(PackURI("/customXml/itemProps1.xml"),
                 "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
                 ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<ds:datastoreItem ds:itemID="'
                  f'{TAGMAP_ITEM_ID}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                  '<ds:schemaRefs><ds:schemaRef ds:uri="urn:x-mielenterveys-toolkit:tags:1"/></ds:schemaRefs>'
                  '</ds:datastoreItem>').encode(), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    doc.part.relate_to(item, RT.CUSTOM_XML)


_ROOT_RE = re.compile(rb"<w:document\b[^>]*>")


def _ensure_w14_root(xml: bytes) -> bytes:
    """Declare on the root element the Word 2010/2013 namespaces that check boxes (w14) and repeating
    sections (w15) use, as ignorable for older readers; a base document may lack them."""
    m = _ROOT_RE.search(xml)
    if not m:
        return xml
    tag = m.group(0)
    new = tag
    for prefix, uri in (("w14", W14_NS), ("w15", W15_NS), ("mc", MC_NS)):
        if f"xmlns:{prefix}=".encode() not in new:
            new = new[:-1] + f' xmlns:{prefix}="{uri}"'.encode() + b">"
    ign = re.search(rb'mc:Ignorable="([^"]*)"', new)
    wanted = [b"w14", b"w15"]
    if ign is None:
        new = new[:-1] + b' mc:Ignorable="w14 w15">'
    else:
        have = ign.group(1).split()
        extra = [w for w in wanted if w not in have]
        if extra:
            new = new.replace(ign.group(0), b'mc:Ignorable="' + b" ".join(have + extra) + b'"')
    return xml.replace(tag, new, 1)


def package_zip(document, timestamp: tuple[int, int, int, int, int, int]) -> bytes:
    """The document's package as .docx bytes: entries sorted, fixed timestamps, so equal inputs give equal bytes.

    The members are those python-docx's save() writes (compat.package_members: collected from its writer's
    steps rather than zipped and read back, where the version allows).
    """
    members = compat.package_members(document)
    members["word/document.xml"] = _ensure_w14_root(members["word/document.xml"])
    return zip_bytes({name: members[name] for name in sorted(members)}, timestamp)
