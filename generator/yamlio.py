"""Read YAML safely: UTF-8 only, no duplicate keys, bounded aliases and size; errors name line and column.

Also keeps the text of every unquoted value that YAML 1.1 read as something other than text (no -> false,
0045 -> 37, 87.10 -> 87.1), so validation can say what YAML did to it instead of what the validator saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import FileProblem, Problem
from .text import CONTROLS, describe

MAX_FILE_BYTES = 2_000_000
MAX_ALIASES = 100


class YamlProblem(FileProblem):
    """Raised when a YAML file cannot be read; holds a ready Problem."""


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that rejects duplicate keys, merge keys and unknown tags, and sorts sets."""

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not supported; write the fields out in full",
                    key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, "a key is a list or mapping; keys must be plain names",
                    key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"duplicate key '{key}' (first at line {seen[key].line + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_undefined(self, node):  # type: ignore[override]
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"the YAML tag {tag} is not supported; write plain text, numbers, lists and mappings",
            node.start_mark)

    def construct_sorted_set(self, node):
        """A !!set as a list in sorted order: a Python set's order changes with the hash seed, and with it the
        order of (say) the work features in every output."""
        return sorted(self.construct_mapping(node), key=lambda k: (type(k).__name__, str(k)))


_Constructor.add_constructor("tag:yaml.org,2002:set", _Constructor.construct_sorted_set)
_Constructor.add_constructor(None, _Constructor.construct_undefined)


class _Resolver(yaml.resolver.Resolver):
    """Keep dates as strings: pydantic parses them, and a typo then gets a field-level message."""


_Resolver.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              _Constructor, _Resolver):
    """The loader for what users write (profiles, providers, a workspace's content): the pure-Python parser,
    whose events let it stop alias bombs before they are composed."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self._aliases = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.constructor.ConstructorError(
                    None, None, f"more than {MAX_ALIASES} YAML aliases (anchors '*'); write the values out",
                    event.start_mark)
        return super().compose_node(parent, index)


if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.cyaml.CParser, _Constructor, _Resolver):  # type: ignore[no-redef]
        """The same rules on libyaml's parser, for the tool's own library: about ten times faster to read, which
        is most of a worker's start-up. Its files are ours, so the alias limit is not needed there."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver.__init__(self)
else:  # a PyYAML built without libyaml: the pure parser for everything
    _FastLoader = _Loader


@dataclass(frozen=True)
class Scalar:
    """An unquoted value that YAML 1.1 read as a boolean, number or null rather than as text, as written."""

    text: str   # as written in the file: no, 0045, 87.10, 12:30, ~
    kind: str   # bool | int | float | null
    value: Any  # what YAML made of it: False, 37, 87.1, 750, None

    def changed(self) -> Optional[str]:
        """How YAML 1.1 silently changed a number as written, or None: octal 0045 is 37, base-60 12:30 is 750."""
        if self.kind != "int":
            return None
        digits = self.text.lstrip("+-").replace("_", "")
        if re.fullmatch(r"0[0-7]+", digits):
            return f"has a leading zero, which YAML reads as the octal number {self.value}"
        if ":" in digits:
            return f"is a base-60 number to YAML ({self.value})"
        return None


_IMPLICIT = {f"tag:yaml.org,2002:{k}": k for k in ("bool", "int", "float", "null")}


def _scalars(loader: _Constructor, root: Optional[yaml.Node]) -> dict[str, Scalar]:
    """Field path (client.name, work_features[0]) -> Scalar, for every unquoted non-text value in the document.

    Each list and mapping is walked once, so aliases (shared nodes) cannot make the walk exponential.
    """
    out: dict[str, Scalar] = {}
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", root)] if root is not None else []
    while stack:
        loc, node = stack.pop()
        if isinstance(node, yaml.CollectionNode):
            if id(node) in seen:
                continue
            seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [(f"{loc}.{k.value}" if loc else str(k.value), v) for k, v in node.value
                      if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(f"{loc}[{i}]", v) for i, v in enumerate(node.value)]
        elif isinstance(node, yaml.ScalarNode) and not node.style and node.tag in _IMPLICIT:
            value = loader.yaml_constructors[node.tag](loader, node)
            out[loc] = Scalar(node.value, _IMPLICIT[node.tag], value)
    return out


def read_yaml(path: Path, shown: str | None = None, *, trusted: bool = False) -> Any:
    """Parse one YAML file; raise YamlProblem with a one-line message on any problem.

    trusted: the file is part of the tool's own library (not a user's), so libyaml's parser may read it."""
    return read_yaml_scalars(path, shown, trusted=trusted)[0]


def read_yaml_scalars(path: Path, shown: str | None = None, *,
                      trusted: bool = False) -> tuple[Any, dict[str, Scalar]]:
    """Parse one YAML file: (data, the unquoted values YAML read as non-text, by field path); YamlProblem on
    any problem."""
    shown = shown or str(path)
    try:
        with open(path, "rb") as fh:  # read at most one byte more than allowed, whatever the file claims
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlProblem(Problem(shown, "", f"cannot read file: {exc.strerror or exc}")) from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(Problem(shown, "", f"file is larger than {MAX_FILE_BYTES} bytes, the most allowed"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(Problem(shown, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")) from None
    _refuse_controls(text, shown)
    if trusted:
        return _reported(lambda: _parse(_FastLoader, text), shown)
    if libyaml_may_read(text):  # a file it cannot read is read again below, for the pure parser's words
        try:
            return _parse(_FastLoader, text)
        except (yaml.YAMLError, RecursionError):
            pass
    return _reported(lambda: _parse(_Loader, text), shown)


def libyaml_may_read(text: str) -> bool:
    """Whether a user's file may be read by libyaml's parser, about ten times faster than the pure one: not
    with a '*' (it could hold aliases, so an alias bomb, which only the pure parser stops), nor with a '!' (an
    empty value tagged '!' is '' to libyaml, null to the pure parser). Whatever libyaml cannot read goes to
    the pure parser, so problems keep its wording. libyaml, YAML's reference parser, also reads a few
    things the pure one refuses (a tab after a value, '|#'); where both read a file they read the same data
    (tests/test_properties.py)."""
    return "*" not in text and "!" not in text


def _parse(loader_class, text: str) -> tuple[Any, dict[str, Scalar]]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return data, _scalars(loader, node)
    finally:
        loader.dispose()


def _reported(parse, shown: str) -> tuple[Any, dict[str, Scalar]]:
    """parse(), with any YAML problem raised as a YamlProblem of one line naming the file and where."""
    try:
        return parse()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if isinstance(exc, yaml.constructor.ConstructorError):  # well-formed YAML that we do not accept
            raise YamlProblem(Problem(shown, "", f"{where}{what}")) from None
        raise YamlProblem(Problem(shown, "", f"YAML syntax error at {where}{what}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(shown, "", f"YAML error: {' '.join(str(exc).split())}")) from None
    except RecursionError:
        raise YamlProblem(Problem(shown, "", "YAML nesting too deep")) from None


_CONTROL = re.compile("[" + "".join(f"\\u{ord(c):04x}" for c in sorted(CONTROLS)) + "]")
_MARK = "\ue000"  # a private-use character stands in for each control character to find its field


def _refuse_controls(text: str, shown: str) -> None:
    """A control character written into the file itself (U+009B, a terminal's CSI; U+0085, which YAML reads as
    a line break and folds away): one line naming the field and the character, as validation does for
    escapes ("\\u009b"), rather than YAML's reader error or a silently changed value."""
    found = _CONTROL.search(text)
    if not found:
        return
    chars = list(dict.fromkeys(_CONTROL.findall(text)))
    field = ""
    try:
        loader = _Loader(_CONTROL.sub(_MARK, text))
        try:
            field = _field_with(loader.get_single_data(), _MARK)
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        pass  # the file has other problems too; say where the character is
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    where = "" if field else f"line {line}, column {column}: "
    several = len(chars) > 1
    raise YamlProblem(Problem(shown, field, f"{where}contains the control character{'s' * several} "
                                            f"{', '.join(describe(c) for c in chars[:3])}; remove "
                                            f"{'them' if several else 'it'}"))


def _field_with(data: Any, mark: str, loc: str = "") -> str:
    """The path of the first key or value holding mark (client.name, work_features[2]), or ''."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{loc}.{key}" if loc else str(key)
            if mark in str(key):
                return path.replace(mark, "?")
            found = _field_with(value, mark, path)
            if found:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found = _field_with(value, mark, f"{loc}[{i}]")
            if found:
                return found
    elif isinstance(data, str) and mark in data:
        return loc
    return ""
