"""Generated input (hypothesis): valid profiles always build checked toolkits; invalid ones always get problems."""

from __future__ import annotations

import datetime as dt
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import Options, build_all
from generator.build.check import check_toolkit
from generator.inputs.load import Project, load_profiles
from generator.inputs.profile import TOL_DIVISIONS, validate_profile
from generator.vocab import CONTRACT_SCOPES, LANGUAGES, WORK_FEATURES
from generator.yamlio import YamlProblem, read_yaml
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # hypothesis: many generated profiles, one built

PROJECT = Project(ROOT)
LIBRARY = PROJECT.load_library()
COUNTIES = {c.text.get(lang).casefold(): c.text.fi for c in LIBRARY.counties() for lang in ("fi", "sv")}
COUNTY_NAMES = sorted({c.text.get(lang) for c in LIBRARY.counties() for lang in ("fi", "sv")})

# Names as people type them: letters (with Nordic ones), digits, spaces and the punctuation that
# trips renderers (& < > " ' { } % = /). No control or text-direction characters: those are refused.
NAME_CHARS = string.ascii_letters + string.digits + "ÄÖÅäöåÉéüß &<>\"'{}%=/.,-()"
names = st.text(NAME_CHARS, min_size=1, max_size=120).filter(lambda s: s.strip())
ids = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?\Z")
industries = st.builds(lambda d, rest: d + rest, st.sampled_from(sorted(TOL_DIVISIONS)),
                       st.sampled_from(["", ".1", ".10", "100", ".20", "9"]))
dates = st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31))


@st.composite
def valid_profiles(draw) -> dict:
    p = {
        "id": draw(ids),
        "client": {"name": draw(names)},
        "industry": draw(industries),
        "employees": draw(st.integers(1, 1_000_000)),
        "contract_scope": draw(st.sampled_from(CONTRACT_SCOPES)),
        "language": draw(st.sampled_from(LANGUAGES)),
        "work_features": draw(st.lists(st.sampled_from(WORK_FEATURES), unique=True, max_size=len(WORK_FEATURES))),
    }
    if draw(st.booleans()):
        p["wellbeing_county"] = draw(st.sampled_from(COUNTY_NAMES))
    if draw(st.booleans()):
        start = draw(dates)
        p["plan_period"] = {"start": start.isoformat(),
                            "end": (start + dt.timedelta(days=draw(st.integers(1, 800)))).isoformat()}
    if draw(st.booleans()):
        p["provider"] = "example-ohs"
    return p


junk = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=True),
                 st.text(max_size=50), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                                           st.integers(), max_size=2))


@st.composite
def invalid_profiles(draw) -> dict:
    """A valid profile with one change that is always wrong."""
    p = draw(valid_profiles())
    how = draw(st.sampled_from(["unknown_key", "drop_required", "bad_employees", "bad_id", "bad_type",
                                "bad_scope", "bad_feature", "bad_industry", "reversed_period"]))
    if how == "unknown_key":
        p[draw(st.text(string.ascii_lowercase + "_", min_size=1, max_size=20).filter(lambda k: k not in p
                                                                                 and k not in _FIELDS))] = 1
    elif how == "drop_required":
        del p[draw(st.sampled_from(["id", "client", "industry", "employees", "contract_scope"]))]
    elif how == "bad_employees":
        p["employees"] = draw(st.one_of(st.integers(max_value=0), st.integers(min_value=1_000_001),
                                        st.booleans(), st.text(string.ascii_letters, min_size=1)))
    elif how == "bad_id":
        p["id"] = draw(st.from_regex(r"\A[A-Z./_][a-zA-Z0-9./ _-]{0,10}\Z"))
    elif how == "bad_type":
        field = draw(st.sampled_from(["client", "work_features", "plan_period"]))
        p[field] = draw(st.one_of(st.integers(), st.text(min_size=1, max_size=10), st.booleans()))
    elif how == "bad_scope":
        p["contract_scope"] = draw(st.text(max_size=20).filter(lambda s: s.strip() not in CONTRACT_SCOPES))
    elif how == "bad_feature":
        p["work_features"] = [draw(st.text(max_size=20).filter(lambda s: s.strip() not in WORK_FEATURES))]
    elif how == "bad_industry":
        p["industry"] = draw(st.one_of(st.text(string.ascii_letters, min_size=1, max_size=6),
                                       st.sampled_from(["00", "04", "8710000", "1", "87..1"])))
    else:
        p["plan_period"] = {"start": "2027-06-01", "end": draw(st.sampled_from(["2027-06-01", "2026-01-01"]))}
    return p


_FIELDS = {"id", "client", "industry", "employees", "contract_scope", "language", "wellbeing_county",
           "work_features", "plan_period", "provider"}


@settings(max_examples=300, deadline=None)
@given(valid_profiles())
def test_generated_valid_profiles_validate(data):
    profile, problems = validate_profile(data, "gen.yaml", COUNTIES)
    assert problems == [] and profile is not None


@settings(max_examples=300, deadline=None)
@given(invalid_profiles())
def test_generated_invalid_profiles_get_problems_not_exceptions(data):
    profile, problems = validate_profile(data, "gen.yaml", COUNTIES)
    assert profile is None and problems
    for p in problems:
        assert p.path == "gen.yaml" and p.message and "\n" not in str(p)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_FIELDS) + ["x", "colour"]), junk, max_size=12))
def test_any_mapping_gets_a_profile_or_problems(data):
    profile, problems = validate_profile(data, "gen.yaml", COUNTIES)
    assert (profile is None) == bool(problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_read_as_yaml_or_give_one_problem(tmp_path, raw):
    path = tmp_path / "gen.yaml"
    path.write_bytes(raw)
    try:
        read_yaml(path, "gen.yaml")
    except YamlProblem as exc:
        assert str(exc).startswith("gen.yaml: ") and "\n" not in str(exc)


# YAML's own punctuation, a few letters and digits, and the characters YAML treats specially in plain text.
YAML_CHARS = "abcxyz019 \n\t:-?[]{},#&!|>'\"%@`~._\\äÖ\u00a0\u2028"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(YAML_CHARS, max_size=60), valid_profiles().map(lambda p: yaml.safe_dump(p))))
def test_libyaml_reads_a_users_file_as_the_pure_parser_does(text):
    """A user's file without a '*' (so without aliases) is read by libyaml, ten times faster, and by the pure
    parser whenever libyaml finds a problem, so problems keep one wording. Wherever both read a file, they
    read the same data and the same values as written. (libyaml also reads a few files the pure parser
    refuses, such as a tab after a value: that is the pure parser's limit, not a different reading.)"""
    from generator.yamlio import _FastLoader, _Loader, _parse, libyaml_may_read

    if not libyaml_may_read(text):
        return
    try:
        fast = _parse(_FastLoader, text)
    except (yaml.YAMLError, RecursionError):
        return  # read again by the pure parser, as before
    try:
        pure = _parse(_Loader, text)
    except (yaml.YAMLError, RecursionError):
        return
    assert fast == pure, text


# Names as the world writes them: every script and mark the fonts cover, invisible characters real names carry
# (soft hyphen, zero-width joiners), and what validation must refuse: text-direction marks, C0/C1 controls,
# characters the fonts lack (CJK, emoji), unassigned and private-use code points, odd line separators.
UNUSUAL = ("\u00ad\u200b\u200c\u200d\u2060\ufeff" "\u0301\u0308\u0327\u030a" "ŋŧđžčšÞðĳŒœǅ" "ΑΩαωЖжЯяЁ"
           "مرحبا\u064b" "\u200f\u061c\u202e\u2067\u009b\u0085\u001b\u007f" "中😀\U0001F3FD\u0378\ue000\ufffd"
           "\u2028\u2029\u00a0\u3000\t" "≤≥→€§½")
unusual_names = st.text(st.one_of(st.sampled_from(UNUSUAL), st.sampled_from(NAME_CHARS),
                                  st.characters(min_codepoint=0x20, max_codepoint=0x33FF)), min_size=1, max_size=80)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(valid_profiles(), st.one_of(names, unusual_names))
def test_what_validate_accepts_builds_and_checks(tmp_path_factory, data, name):
    """validate OK => build OK => check OK (issue 19), names in unusual Unicode included; what validate refuses
    gets one line per problem naming the file. Slow (a full render and check per accepted example), hence few
    examples; the cheap properties above take many."""
    data = {**data, "client": {"name": name}}
    folder = tmp_path_factory.mktemp("gen")
    (folder / "gen.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded, problems = load_profiles([folder / "gen.yaml"], PROJECT, LIBRARY)
    if problems:
        for p in problems:
            assert str(p).startswith(str(folder / "gen.yaml")) and "\n" not in str(p) and p.message
        return
    summary = build_all(loaded, PROJECT, LIBRARY, folder / "out", 1, Options())
    assert summary.count("built") == 1, summary.results
    assert check_toolkit(folder / "out" / data["id"]) == []
