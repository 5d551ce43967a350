"""The project's own readings, and the phrases the tests pick out of them.

`tests/fixtures/readings/` holds five texts written for this project, one per kind of source
a seminar hosts (see its README): a class-blog post, a scraped web article, a think-tank
report, a news report and course material. Every test that needs a reading uses these, so a
fresh clone runs the whole suite with nothing beside it.

The real corpus (in CI, the seed readings beside the repository) is an extra: when
`SEMINAR_CORPUS` names a folder, `tests/corpus/` runs the importer, the page's text contract
and the re-anchoring edits over every `.txt` in it. No Django here:
`tests/seminar/test_textformats.py` runs without it.
"""

import os
from pathlib import Path

READINGS = Path(__file__).resolve().parent / "fixtures" / "readings"

BLOG = "2014-02-11-lake-chad-class-blog.txt"  # date line, title, works cited, reader comments
ARTICLE = "coups-in-the-sahel-explained.txt"  # scraped page: "Skip to content", lists, "See also"
REPORT = "policy-forum-2014-niger-basin-dialogue.txt"  # chrome above and below, dashes, "(…)"
NEWS = "regional-force-drawdown-2025.txt"  # a line a paragraph, bare headings, no title line
COURSE = "peace-operations-course-part-3.txt"  # numbered headings, a sentence cut off

ALL = sorted(path.name for path in READINGS.glob("*.txt"))

# Phrases of the blog post's body, each there once.
SWEET_SPOT = "believe it has found the sweet spot of timing and method this time"
INNER = "sweet spot of timing"  # inside SWEET_SPOT: overlapping highlights
OPENING = "With the increase"  # the body's first words
AID = "foreign aid and support"
PLEDGED = "promised more than $250m for an African-led force"
CITATION = "Mensah and Lund, (2009)"
HAVEN = "the insurgents’ safe haven"  # a curly apostrophe inside the passage
CHAIN = "thrown the insurgents’ chain of command into disorder"
TYPO = "This has lead to what appears"  # "lead" for "led": an instructor fixes it
KILLED = "reportedly killed by Chad’s soldiers"  # in the sentence an edit deletes
THIRD_PARAGRAPH = "The death of Abubakar Kolo"
QUOTED = "the basin sits where four borders, two climates"


def reading_path(name: str) -> Path:
    return READINGS / name


def reading_text(name: str) -> str:
    return reading_path(name).read_text(encoding="utf-8")


def corpus() -> Path | None:
    """The folder `SEMINAR_CORPUS` names, or None when it is unset."""
    folder = os.environ.get("SEMINAR_CORPUS", "").strip()
    return Path(folder).resolve() if folder else None


CORPUS_UNSET = (
    "SEMINAR_CORPUS is not set: the suite over a folder of real readings runs only when it "
    "names one (CI points it at the real readings beside the repository)"
)


def corpus_params() -> list:
    """pytest params, one per `.txt` of the corpus, or one skipped param saying why.

    A folder that is named but holds no `.txt` is a collection error, not a silent pass.
    """
    import pytest

    folder = corpus()
    if folder is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=CORPUS_UNSET), id="unset")]
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise RuntimeError(f"SEMINAR_CORPUS={folder} holds no .txt reading")
    return [pytest.param(path, id=path.name) for path in files]
