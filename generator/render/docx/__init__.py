"""The Word action plan: Plan -> an editable .docx with styles, content controls with stable tags and a tag map."""

from .document import render_docx

__all__ = ["render_docx"]
