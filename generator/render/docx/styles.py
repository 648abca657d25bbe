"""The plan's styles part and settings part: fonts, table styles, built-in style names, language, hyphenation,
protection and the number format Word and LibreOffice use."""

from __future__ import annotations

import re

from docx.oxml.ns import qn
from lxml import etree

from .xml import NS, el


def set_font(style: etree._Element, font: str) -> None:
    """Give a style one explicit font, dropping theme-font references that would override it."""
    rpr = style.get_or_add_rPr()
    old = rpr.find(qn("w:rFonts"))
    fonts = el("w:rFonts", w_ascii=font, w_hAnsi=font, w_eastAsia=font, w_cs=font)
    if old is not None:
        old.addprevious(fonts)
        rpr.remove(old)
    else:
        rpr.insert(0, fonts)  # rFonts comes first in CT_RPr (after rStyle, which styles do not have)


def add_table_style(styles: etree._Element, name: str, fill: str, text: str = "FFFFFF") -> None:
    """A table style with thin grid lines and a header row shaded in fill (the brand colour) with bold text.

    Tables refer to it by name, so a provider's base document that defines a table style of the same name
    restyles every table of the plan.
    """
    sid = re.sub(r"[^A-Za-z0-9]", "", name)
    style = el("w:style", w_type="table", w_customStyle="1", w_styleId=sid)
    style.append(el("w:name", w_val=name))
    if styles.find("w:style[@w:styleId='TableNormal']", NS) is not None:
        style.append(el("w:basedOn", w_val="TableNormal"))
    style.append(el("w:uiPriority", w_val="40"))
    style.append(el("w:qFormat"))
    tblpr = el("w:tblPr")
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", w_val="single", w_sz="4", w_space="0", w_color="A6A6A6"))
    tblpr.append(borders)
    mar = el("w:tblCellMar")
    for side, width in (("left", "85"), ("right", "85")):
        mar.append(el(f"w:{side}", w_w=width, w_type="dxa"))
    tblpr.append(mar)
    style.append(tblpr)
    first = el("w:tblStylePr", w_type="firstRow")
    rpr = el("w:rPr")
    rpr.append(el("w:b"))
    rpr.append(el("w:color", w_val=text))
    first.append(rpr)
    tcpr = el("w:tcPr")
    tcpr.append(el("w:shd", w_val="clear", w_color="auto", w_fill=fill))
    first.append(tcpr)
    style.append(first)
    styles.append(style)


def highlight_style(style: etree._Element, fill: str) -> None:
    """Give a character style a background shading (visible in Word and LibreOffice)."""
    rpr = style.get_or_add_rPr()
    rpr.append(el("w:shd", w_val="clear", w_color="auto", w_fill=fill))


def outline_level(style: etree._Element, level: int) -> None:
    ppr = style.get_or_add_pPr()
    for old in ppr.findall(qn("w:outlineLvl")):
        ppr.remove(old)
    ppr.append(el("w:outlineLvl", w_val=str(level)))


def make_builtin(style: etree._Element, name: str) -> None:
    """Turn a style python-docx added as custom into Word's built-in of that name (e.g. "toc 1")."""
    style.attrib.pop(qn("w:customStyle"), None)
    style.find(qn("w:name")).set(qn("w:val"), name)


DECIMAL = {"fi-FI": (",", ";"), "sv-FI": (",", ";"), "en-GB": (".", ",")}
# CT_Settings child order (the ones we write or place around)
SETTINGS_ORDER = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                  "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                  "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                  "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                  "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                  "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                  "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                  "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
                  "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
                  "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
                  "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle",
                  "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
                  "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
                  "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
                  "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
                  "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
                  "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
                  "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
                  "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
                  "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
                  "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
                  "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                  "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                  "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                  "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _place(settings: etree._Element, new: etree._Element) -> None:
    """Insert a settings child where CT_Settings wants it, replacing one of the same name."""
    name = etree.QName(new).localname
    for old in settings.findall(qn(f"w:{name}")):
        settings.remove(old)
    rank = SETTINGS_ORDER.index(name)
    for child in settings:
        other = etree.QName(child).localname
        if other in SETTINGS_ORDER and SETTINGS_ORDER.index(other) > rank:
            child.addprevious(new)
            return
    settings.append(new)


def set_settings(settings: etree._Element, lang_id: str = "fi-FI", protect: bool = False) -> None:
    """Word 2013 compatibility (repeating sections need it), fields updated on open (contents, page count),
    the document's language for themes and numbers, and optional fill-in-only protection."""
    for old in settings.findall(qn("w:proofState")):  # so Word spell-checks the new text
        settings.remove(old)
    _place(settings, el("w:updateFields", w_val="true"))
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = el("w:compat")
        _place(settings, compat)
    for cs in compat.findall(qn("w:compatSetting")):
        if cs.get(qn("w:name")) == "compatibilityMode":
            cs.set(qn("w:val"), "15")
            break
    else:
        compat.append(el("w:compatSetting", w_name="compatibilityMode", w_uri="http://schemas.microsoft.com/office/word",
                         w_val="15"))
    _place(settings, el("w:themeFontLang", w_val=lang_id))
    decimal, separator = DECIMAL.get(lang_id, (".", ","))
    _place(settings, el("w:decimalSymbol", w_val=decimal))
    _place(settings, el("w:listSeparator", w_val=separator))
    for old in settings.findall(qn("w:documentProtection")):
        settings.remove(old)
    if protect:  # Word's "filling in forms": the guidance is read-only, the content controls stay editable
        _place(settings, el("w:documentProtection", w_edit="forms", w_enforcement="1"))


def set_default_language(styles: etree._Element, lang_id: str) -> None:
    """Set w:lang in docDefaults so spell-check uses the document's language."""
    dd = styles.find(qn("w:docDefaults"))
    if dd is None:
        dd = el("w:docDefaults")
        styles.insert(0, dd)
    rd = dd.find(qn("w:rPrDefault"))
    if rd is None:
        rd = el("w:rPrDefault")
        dd.insert(0, rd)
    rpr = rd.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        rd.append(rpr)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = el("w:lang", w_val=lang_id, w_eastAsia=lang_id, w_bidi="ar-SA")
    # CT_RPr order: lang comes after these and before eastAsianLayout, specVanish, oMath
    later = [c for c in rpr if etree.QName(c).localname in ("eastAsianLayout", "specVanish", "oMath")]
    if later:
        later[0].addprevious(lang)
    else:
        rpr.append(lang)
