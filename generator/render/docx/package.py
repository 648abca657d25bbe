"""The .docx package around the document: what the file says about itself and which parts it carries.

python-docx starts from a template made in Word for Mac: its app.xml claims "Microsoft Macintosh Word" with
stale page and word counts, it carries a blank thumbnail and an empty bibliography data part. These are
replaced or dropped here; the plan's own parts (custom properties that identify the client and build, and the
tag map that lets a filled plan be read back after any editor saved it) are added.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from . import compat

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
