"""HTML for the PDF renderers: the templates' Jinja environment, and what every PDF shows (who it is for and by
whom, metadata, running header and footer, the document's identity)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..errors import RenderError
from ..inputs.assets import check_local_asset
from ..palette import palette
from ..plan import Plan
from ..vocab import LANG_TAGS

if TYPE_CHECKING:
    from markupsafe import Markup

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


_ENVIRONMENTS: dict[str, object] = {}


def template(templates_dir: Path, name: str):
    """A compiled template of templates_dir. One Jinja environment per folder and process, so a template is
    compiled once (compiling both PDF templates for every toolkit took a tenth of its CPU); Jinja checks the
    file's modification time on each lookup and compiles an edited template again."""
    import jinja2

    env = _ENVIRONMENTS.get(str(templates_dir))
    if env is None:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters["css_string"] = css_string
        env.filters["breakable"] = breakable
        env.filters["upper_first"] = lambda text: text[:1].upper() + text[1:]
        _ENVIRONMENTS[str(templates_dir)] = env
    try:
        return env.get_template(name)
    except jinja2.TemplateError as exc:
        raise RenderError(f"{name}: {exc}") from None


# The title of each PDF; the checklists' is shared with the follow-up report, which names them
TITLES = {"pdf.checklists": "common.checklists", "pdf.pathway": "pdf.pathway.title"}


def common_context(plan: Plan, templates_dir: Path, prefix: str, asset_root: Optional[Path] = None) -> dict:
    """What both documents show: who it is for and by whom, metadata, running header and footer."""
    provider = plan.provider
    logo = check_local_asset(provider.logo, templates_dir, asset_root).as_uri() if provider and provider.logo else None
    colours = palette(provider.brand_colour if provider and HEX_COLOUR.match(provider.brand_colour or "") else None)
    provider_name = provider.name if provider else plan.label("pdf.no_provider")
    heading = plan.label(TITLES.get(prefix, prefix + ".title"))
    title = f"{heading} – {plan.client.name}"
    credit = plan.item("model.credit")
    page_of = plan.label("common.page_of", page="\x00", pages="\x01")
    return dict(
        plan=plan, client=plan.client, provider=provider, provider_name=provider_name, logo=logo,
        palette=colours, lang=LANG_TAGS.get(plan.language, plan.language), label=plan.label,
        title=title, heading=heading, subject=plan.label(prefix + ".subject"),
        keywords=f"{plan.label('pdf.keywords')}, {plan.label(prefix + '.keywords')}",
        credit=credit.text if credit else "",
        page_of_css=page_of_css(page_of),
    )


def css_string(text: str) -> "Markup":
    """A quoted CSS string in which every character but ASCII letters and digits is a 6-digit hex escape.

    Spaces are escaped too: CSS swallows one whitespace after a hex escape, so "a: b" would lose it.

    The result holds no quote, '<' or '&', so HTML autoescaping leaves it unchanged inside <style>.
    """
    from markupsafe import Markup

    return Markup('"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}"
                                for c in text) + '"')


def breakable(text: str) -> "Markup":
    """A web or e-mail address, HTML-escaped, with a break opportunity after each / . - and @, so a long one
    wraps where a reader expects rather than at the box's edge (base.css breaks it there when a part is
    longer than the box). A zero-width space rather than <wbr>: WeasyPrint ignores <wbr> inside a link; the
    space draws nothing and text extraction (pdftotext) leaves it out."""
    from markupsafe import Markup, escape

    return Markup("\u200b".join(str(escape(part)) for part in re.split(r"(?<=[/.@-])", text)))


def page_of_css(page_of: str) -> str:
    """'Sivu {page} / {pages}' as a CSS content value with the page counters in place."""
    parts = []
    for chunk in re.split(r"([\x00\x01])", page_of):
        if chunk == "\x00":
            parts.append("counter(page)")
        elif chunk == "\x01":
            parts.append("counter(pages)")
        elif chunk:
            parts.append(css_string(chunk))
    from markupsafe import Markup

    return Markup(" ".join(parts))


def identity(plan: Plan, document: str) -> dict[str, str]:
    """Custom document-information entries that say whose document this is and from which build."""
    return {"ToolkitClient": plan.client.id, "ToolkitDocument": document, "ToolkitLanguage": plan.language,
            "ToolkitContent": plan.content_version, "ToolkitGenerator": plan.generator_version}
