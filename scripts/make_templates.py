"""Write the papermill templates in templates/ (run after editing their cells here).

Templates are thin: one ``parameters`` cell with typed, commented defaults, then short cells
calling the package. Executed copies are outputs and are never committed.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

JOURNEY_MAP = [
    new_markdown_cell(
        "# Journey map of one persona\n\n"
        "Built from the study's coded segments (`workbench tag`): every stage of the codebook, "
        "the emotion curve with bootstrap intervals, touchpoints, pain points, goals and "
        "opportunities, each backed by quotes. Cells with fewer than `min_participants` "
        "participants are flagged as weak evidence, not hidden.\n\n"
        "Run it for one persona with papermill, or for every persona with "
        "`workbench batch templates/journey_map.ipynb --per persona`:\n\n"
        "```\npapermill templates/journey_map.ipynb out.ipynb -p persona budget-family\n```"
    ),
    new_code_cell(
        'project: str = "."  # the study folder (holds data/raw and data/processed)\n'
        'persona: str = "remote-worker"  # the persona whose map to build\n'
        "min_participants: int = 3  # fewer participants than this flags a cell as weak\n"
        "quotes_per_cell: int = 3  # evidence quotes listed per stage\n"
        "seed: int = 0  # bootstrap seed: the same seed gives the same intervals\n"
        'export_dir: str = ""  # folder to save the charts in as PNG, SVG and PDF; empty: no files',
        metadata={"tags": ["parameters"]},
    ),
    new_code_cell(
        "from workbench import charts, schema as S\n"
        "from workbench.charts_map import journey_map\n"
        "from workbench.chart_export import save_chart\n"
        "from workbench.study import load_journey_map\n\n"
        'charts.enable_offline_rendering("svg")\n'
        "jm, codebook = load_journey_map(\n"
        "    project, persona=persona, min_participants=min_participants,\n"
        "    quotes_per_cell=quotes_per_cell, seed=seed,\n"
        ")\n"
        "jm.stages[[S.STAGE, S.N_SEGMENTS, S.N_PARTICIPANTS, S.SENTIMENT_MEAN, "
        "S.SENTIMENT_CI_LOW, S.SENTIMENT_CI_HIGH, S.WEAK_EVIDENCE]]"
    ),
    new_markdown_cell("## The map"),
    new_code_cell(
        "canvas = journey_map(\n"
        "    jm.stages, touchpoints=jm.touchpoints, emotions=jm.emotions,\n"
        "    opportunities=jm.opportunities, evidence=jm.evidence, codebook=codebook,\n"
        "    persona=persona,\n"
        ")\n"
        "canvas"
    ),
    new_markdown_cell("## Emotion curve and touchpoints"),
    new_code_cell(
        "charts.emotion_curve(jm.stages, jm.evidence, codebook=codebook, persona=persona)"
    ),
    new_code_cell(
        "charts.stage_touchpoint_heatmap(jm.touchpoints, codebook=codebook, persona=persona)"
    ),
    new_markdown_cell("## Opportunities: pain points ranked by frequency × severity × reach"),
    new_code_cell("charts.pain_point_priority(jm.opportunities, codebook=codebook)"),
    new_code_cell(
        "jm.opportunities[[S.RANK, S.STAGE, S.PAIN_CATEGORY, S.FREQUENCY, S.SEVERITY, S.REACH, "
        "S.SCORE, S.NOTE]].head(10)"
    ),
    new_markdown_cell("## Survey metrics (NPS, CSAT, CES) with confidence intervals"),
    new_code_cell("jm.survey"),
    new_markdown_cell("## Evidence: the top quotes per stage"),
    new_code_cell(
        "jm.evidence[\n"
        "    [S.STAGE, S.RANK, S.TEXT, S.PARTICIPANT_ID, S.SOURCE_PATH, S.LOCATION,\n"
        "     S.CODE_SOURCE]\n"
        "]"
    ),
    new_code_cell(
        "if export_dir:\n"
        '    saved = save_chart(canvas, f"{export_dir}/journey-map-{persona}", '
        'formats=("png", "svg", "pdf"))\n'
        "    print({fmt: str(path) for fmt, path in saved.items()})"
    ),
]


def write(cells: list, path: Path) -> None:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


if __name__ == "__main__":
    write(JOURNEY_MAP, ROOT / "templates" / "journey_map.ipynb")
