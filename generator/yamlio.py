"""Read YAML safely: UTF-8 only, no duplicate keys, bounded aliases and size; errors name line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

MAX_FILE_BYTES = 2_000_000
MAX_ALIASES = 100


class YamlProblem(Exception):
    """Raised when a YAML file cannot be read; holds a ready Problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and alias bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
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

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
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


# Keep dates as strings: pydantic parses them, and a typo then gets a field-level message.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, shown: str | None = None) -> Any:
    """Parse one YAML file; raise YamlProblem with a one-line message on any problem."""
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
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise YamlProblem(Problem(shown, "", f"YAML syntax error at {where}{what}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(shown, "", f"YAML error: {' '.join(str(exc).split())}")) from None
    except RecursionError:
        raise YamlProblem(Problem(shown, "", "YAML nesting too deep")) from None
