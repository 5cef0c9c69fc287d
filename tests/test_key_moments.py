"""Key moments open each persona report: computed from the journey, weak stages never headline."""

from __future__ import annotations

from tests.test_journey import CB, coded
from workbench.journey import build_journey_map
from workbench.key_moments import key_moments


def test_low_and_high_points_skip_weak_stages_and_name_the_evidence():
    rows = []
    for i in range(4):  # support: 4 people, negative, a categorised pain point
        rows.append({"pid": f"P{i}", "stage": "support", "sentiment": -0.8, "pain": True,
                     "category": "billing", "text": f"The bill was wrong again {i}."})  # fmt: skip
        rows.append({"pid": f"P{i}", "stage": "onboarding", "sentiment": 0.6})
    rows.append({"pid": "P9", "stage": "renewal", "sentiment": -1.0})  # one person: weak
    jm = build_journey_map(coded(rows), CB)
    moments = {m.title: m for m in key_moments(jm.stages, jm.opportunities, jm.evidence, "a", CB)}
    assert moments["Low point"].text.startswith("Support:")  # not the weak renewal stage
    assert moments["Low point"].evidence == "4 participants, 4 segments"
    assert moments["High point"].text.startswith("Onboarding and usage:")
    assert moments["Most-cited pain point"].text.startswith("Billing")
    assert moments["Biggest opportunity"].text == "Fix billing and price at Support"
    assert moments["In their words"].text.startswith("“The bill was wrong again")
