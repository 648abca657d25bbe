"""The most a profile and a provider file may hold, and brand colours and logos at their extremes, as a workspace.

Built once per test session (conftest.built_extremes) and judged by the contrast and overprint checks
(tests/layout.py): names of 200 characters made of 60-letter compounds, ten team members, all nine work
features, 1,000,000 employees, long web and e-mail addresses, in Finnish, Swedish and English, with white,
pale yellow and black brand colours and logos of 4000 x 90 and 80 x 1200 pixels; and two mid brand colours
(grey and orange) on ordinary clients.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from PIL import Image

from generator.vocab import WORK_FEATURES

# 60-letter compounds, as long as real Finnish and Swedish ones get and longer
COMPOUNDS = {
    "fi": ("Pohjoispohjanmaanhyvinvointialueentyöterveyshuoltopalvelukesk",
           "Kansainvälisentavaraliikenteenlogistiikkakeskusosakeyhtiöiden",
           "Ympärivuorokautisenhoivapalveluasumisyksikkökokonaisuudenjoht"),
    "sv": ("Företagshälsovårdsmottagningsverksamhetsutvecklingsprojektgru",
           "Österbottensvälfärdsområdesmentalvårdsrehabiliteringsenheterna",
           "Specialsjukvårdsupphandlingsförhandlingsdelegationsordförandes"),
    "en": ("Internationalisationcounterrevolutionarymisunderstandingsltd",
           "Antidisestablishmentarianismpneumonoultramicroscopicsilicovol",
           "Supercalifragilisticexpialidociouslyhyperdimensionalwarehouse"),
}
WEB = "https://www.lansisuomentyoterveyskeskus.example.fi/yritysasiakkaat/tyoterveyshuolto/mielenterveyspalvelut"
EMAIL = "asiakaspalvelu.mielenterveyspalvelut@lansisuomentyoterveyskeskus.example.fi"
# (language, brand colour, logo width x height, wellbeing county)
EXTREMES = (("fi", "#FFFFFF", (4000, 90), "Päijät-Häme"),
            ("sv", "#FFFF99", (80, 1200), "Mellersta Österbotten"),
            ("en", "#000000", (1200, 1200), "Pirkanmaa"))
MID_COLOURS = (("fi", "#808080"), ("en", "#E07000"))


def name_of(words: tuple[str, ...], length: int = 200) -> str:
    """Compounds joined by spaces, repeated and cut to exactly length characters (no trailing space)."""
    text = " ".join(words * 3)[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def extreme_workspace(root: Path, samples: Path) -> list[str]:
    """Write the extreme clients and their providers under root (a workspace); return the client ids."""
    profiles = root / "profiles"
    assets = profiles / "providers" / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (root / "toolkit.toml").write_text("")
    ids = []
    for lang, colour, (w, h), county in EXTREMES:
        pid = f"extreme-{lang}"
        Image.new("RGB", (w, h), (40, 90, 120)).save(assets / f"{pid}.png")
        team = [{"role": f"{COMPOUNDS[lang][i % 3][:40]} / role {i + 1}", "name": name_of(COMPOUNDS[lang][i % 3:], 120),
                 "contact": EMAIL if i % 2 else "+358 (10) 123 4567"} for i in range(10)]
        _write(profiles / "providers" / f"{pid}.yaml", {
            "name": name_of(tuple(reversed(COMPOUNDS[lang]))), "brand_colour": colour,
            "contact": {"phone": "+358 (10) 1234 5678 90", "email": EMAIL, "web": WEB},
            "team": team, "logo": f"profiles/providers/assets/{pid}.png"})
        _write(profiles / f"{pid}.yaml", {
            "id": pid, "client": {"name": name_of(COMPOUNDS[lang])}, "industry": "88.91", "employees": 1_000_000,
            "contract_scope": "with_medical_care", "language": lang, "wellbeing_county": county,
            "work_features": list(WORK_FEATURES), "plan_period": {"start": "2027-01-01", "end": "2028-12-31"},
            "provider": pid})
        ids.append(pid)
    sample = yaml.safe_load((samples / "providers" / "example-ohs.yaml").read_text(encoding="utf-8"))
    for lang, colour in MID_COLOURS:
        pid = f"mid-{lang}-{colour[1:].lower()}"
        _write(profiles / "providers" / f"{pid}.yaml", {**sample, "brand_colour": colour})
        base = yaml.safe_load((samples / "parturi-kampaamo-salmi.yaml").read_text(encoding="utf-8"))
        _write(profiles / f"{pid}.yaml", {**base, "id": pid, "language": lang, "provider": pid})
        ids.append(pid)
    return ids


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":  # python -m tests.extremes DIR: write the workspace to look at it by hand
    import sys
    target = Path(sys.argv[1])
    shutil.rmtree(target, ignore_errors=True)
    print(extreme_workspace(target, Path(__file__).resolve().parent.parent / "profiles"))
