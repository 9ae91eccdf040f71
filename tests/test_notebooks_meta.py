"""Every course notebook follows the notebook rules of DESIGN.md.

nbval proves that a notebook runs and that its stored outputs match; these
tests hold each notebook to the course's shape and safety rules: a title,
objectives, prerequisites, a summary and what comes next; work only in its
own scratch folder; stored outputs from one run top to bottom, without
errors; no private key material anywhere. A new notebook is checked as soon
as it is added to notebooks/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COURSE = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

# A PEM private key block with its base64 body: what must never be stored.
PEM_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{40,}")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _cells(nb: dict, kind: str) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def _headings(nb: dict) -> list[str]:
    return [
        line.lstrip("#").strip()
        for cell in _cells(nb, "markdown")
        for line in _text(cell["source"]).splitlines()
        if line.startswith("#")
    ]


def _output_texts(cell: dict) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append(_text(out["text"]))
        for value in out.get("data", {}).values():
            texts.append(_text(value) if isinstance(value, (str, list)) else json.dumps(value))
        texts.extend(_text(out.get(k, "")) for k in ("ename", "evalue"))
    return texts


def _has_heading(nb: dict, pattern: str) -> bool:
    return any(re.search(pattern, h, re.IGNORECASE) for h in _headings(nb))


def test_the_course_has_notebooks():
    assert COURSE, f"no NN_topic.ipynb notebooks in {NOTEBOOKS}"


course = pytest.mark.parametrize("path", COURSE, ids=[p.stem for p in COURSE])


@course
def test_kernelspec_is_python3(path):
    assert _load(path)["metadata"].get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: set the kernel to python3 (Kernel > Change Kernel), then save"
    )


@course
def test_starts_with_a_title(path):
    first = _load(path)["cells"][0]
    source = _text(first["source"]).lstrip()
    assert first["cell_type"] == "markdown" and source.startswith("# ") and len(source.splitlines()[0]) > 3, (
        f"{path.name}: the first cell must be Markdown starting with a '# Title'"
    )


@course
@pytest.mark.parametrize(
    "section, pattern",
    [
        ("an Overview or Objectives section", r"^(overview|objectives|learning objectives)\b"),
        ("a Prerequisites section", r"^prerequisites\b"),
        ("a Summary section", r"^summary\b"),
        ("a What's next section", r"^(what.s next|next steps|where to go)"),
    ],
)
def test_has_the_course_sections(path, section, pattern):
    nb = _load(path)
    assert _has_heading(nb, pattern), f"{path.name}: add {section} (a Markdown heading); headings now: {_headings(nb)}"


@course
def test_summary_comes_after_the_work(path):
    headings = _headings(_load(path))
    positions = {
        name: next((i for i, h in enumerate(headings) if re.match(p, h, re.IGNORECASE)), None)
        for name, p in (("overview", r"overview|objectives"), ("prerequisites", r"prerequisites"), ("summary", r"summary"))
    }
    assert None not in positions.values(), f"{path.name}: missing one of {list(positions)}"
    assert positions["overview"] < positions["summary"] and positions["prerequisites"] < positions["summary"], (
        f"{path.name}: Overview and Prerequisites go at the top, the Summary at the end"
    )


@course
def test_first_code_cell_makes_its_own_scratch_folder(path):
    code = _cells(_load(path), "code")
    assert code, f"{path.name}: has no code cell"
    first = _text(code[0]["source"])
    assert re.search(rf"""\bscratch\(\s*["']{re.escape(path.stem)}["']\s*\)""", first), (
        f'{path.name}: the first code cell must call scratch("{path.stem}") so the notebook works only in its own folder'
    )


@course
def test_outputs_are_stored_from_one_run_top_to_bottom(path):
    counts = [c.get("execution_count") for c in _cells(_load(path), "code")]
    assert all(isinstance(n, int) for n in counts), (
        f"{path.name}: some code cells were never run; run the notebook from the top and save it with its outputs"
    )
    assert counts == list(range(counts[0], counts[0] + len(counts))), (
        f"{path.name}: cells were run out of order ({counts}); restart the kernel, run all, save"
    )


@course
def test_no_stored_errors(path):
    for index, cell in enumerate(_load(path)["cells"]):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", (
                f"{path.name}: cell {index} stored an error ({out.get('ename')}: {out.get('evalue')})"
            )
            if out["output_type"] == "stream":
                assert "Traceback (most recent call last)" not in _text(out["text"]), (
                    f"{path.name}: cell {index} printed a traceback"
                )


@course
def test_no_private_key_in_any_output(path):
    for index, cell in enumerate(_load(path)["cells"]):
        for text in _output_texts(cell):
            assert "PRIVATE KEY" not in text, f"{path.name}: cell {index} shows private key material in its output"


@course
def test_no_private_key_block_anywhere(path):
    raw = path.read_text(encoding="utf-8").replace("\\n", "\n")
    assert not PEM_KEY_BLOCK.search(raw), f"{path.name}: contains a PEM private key; never store one in a notebook"


@course
def test_ignored_outputs_are_asserted(path):
    """A cell whose output nbval does not compare must check what holds itself (DESIGN.md)."""
    for index, cell in enumerate(_cells(_load(path), "code")):
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            assert re.search(r"^\s*assert\b", _text(cell["source"]), re.MULTILINE), (
                f"{path.name}: code cell {index} is tagged nbval-ignore-output but asserts nothing"
            )


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


EXECUTE = (
    "cd notebooks && ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace "
    "--ExecutePreprocessor.store_widget_state=False NN.ipynb"
)


@course
def test_every_stored_widget_carries_a_static_rendering(path):
    """A stored widget output is only a model id: a reader without a kernel (an HTML export,
    nbviewer, GitHub, JupyterLab for an untrusted notebook) can show only what the output carries
    beside it. Every widget output must carry the same content as text/html."""
    nb = _load(path)
    for index, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                assert _text(data.get("text/html", "")).strip(), (
                    f"{path.name}: cell {index} shows a widget without a text/html rendering; "
                    "give the widget static_html() (genesys_lab.widgets.static.StaticFallback)"
                )


@course
def test_no_widget_state_hides_the_static_renderings(path):
    """nbconvert's HTML export (and nbviewer) draw a widget from saved widget state with a script from
    a CDN and then ignore its text/html; without a network that leaves an empty box. Without saved
    state they show the text/html rendering, so the stored notebooks keep none."""
    state = _load(path)["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    assert not state, f"{path.name} stores widget state for {len(state)} models: execute it with {EXECUTE}"
