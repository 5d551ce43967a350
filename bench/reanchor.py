"""Re-anchoring 10,000 annotations on a 50,000-word reading after edits to 1% of its words.

The reading is made from the seed readings' vocabulary (so quotes are prose-like and rarely
repeat); 500 words are replaced, deleted or inserted at random places; annotations cover 2 to
12 words each. Ground truth comes from the edit itself, so the benchmark can count:

- kept: untouched passages placed exactly on their words;
- lost: untouched passages orphaned (should be 0);
- misplaced: any passage placed on words it was not about (must be 0);
- orphaned / followed: passages whose own words were edited, orphaned or following the edit.

    .venv/bin/python bench/reanchor.py [--annotations 10000] [--words 50000] [--seed 7]

Pure Python: times annotations.anchoring.reanchor, the code the edit transaction runs.
"""

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import corpus, machine  # noqa: E402

from annotations.anchoring import ORPHANED, anchor_at, reanchor  # noqa: E402


def vocabulary():
    words = []
    for path in sorted(corpus().glob("*.txt")):
        words += re.findall(r"[\w’'-]+[.,;:]?", path.read_text(encoding="utf-8"))
    return words


def render(words, seps):
    parts, starts, ends, at = [], [], [], 0
    for word, sep in zip(words, seps, strict=True):
        if parts:
            parts.append(sep)
            at += len(sep)
        starts.append(at)
        parts.append(word)
        at += len(word)
        ends.append(at)
    return "".join(parts), starts, ends


def report(old_text, new_text, anchor, placement, expected):
    if "--verbose" in sys.argv:
        print(
            "MISPLACED",
            repr(anchor.exact),
            placement.status,
            repr(placement.anchor.exact),
            (placement.anchor.start, placement.anchor.end),
            "expected",
            expected,
            repr(new_text[expected[0] : expected[1]]),
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="describe each misplacement")
    parser.add_argument(
        "--through-db",
        action="store_true",
        help="also time the whole edit transaction (new revision, re-anchor, save) in a "
        "database: SQLite in a temporary file, or DATABASE_URL",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    vocab = vocabulary()

    old_words = [rng.choice(vocab) for _ in range(args.words)]
    old_seps, left = [], 0
    for _ in old_words:
        if left <= 0:
            old_seps.append("\n")
            left = rng.randint(60, 160)
        else:
            old_seps.append(" ")
        left -= 1
    old_text, old_starts, old_ends = render(old_words, old_seps)

    # Edit 1% of the words: replace (a typo fix), delete, or insert before.
    edits = {
        i: rng.choice(("replace", "delete", "insert"))
        for i in rng.sample(range(args.words), args.words // 100)
    }
    new_words, new_seps, new_index = [], [], {}
    touched, inserted_before = set(), set()
    for i, (word, sep) in enumerate(zip(old_words, old_seps, strict=True)):
        kind = edits.get(i)
        if kind == "insert":
            new_words.append(rng.choice(vocab))
            new_seps.append(sep)
            inserted_before.add(i)
            sep = " "
        if kind == "delete":
            touched.add(i)
            continue
        if kind == "replace":
            touched.add(i)
            word = word[::-1] if len(word) > 3 else word + "s"
        new_index[i] = len(new_words)
        new_words.append(word)
        new_seps.append(sep)
    new_text, new_starts, new_ends = render(new_words, new_seps)

    spans, anchors = [], []
    for _ in range(args.annotations):
        i = rng.randrange(args.words - 12)
        j = i + rng.randint(2, 12)  # words i .. j-1
        spans.append((i, j))
        anchors.append(anchor_at(old_text, old_starts[i], old_ends[j - 1]))

    began = time.perf_counter()
    placements = reanchor(old_text, new_text, anchors)
    seconds = time.perf_counter() - began

    statuses = {"anchored": 0, "moved": 0, "orphaned": 0}
    kept = lost = misplaced = followed = orphaned_edited = 0
    for (i, j), placement in zip(spans, placements, strict=True):
        statuses[placement.status] += 1
        edited = any(k in touched for k in range(i, j)) or any(
            k in inserted_before for k in range(i + 1, j)
        )
        if not edited:
            expected = (new_starts[new_index[i]], new_ends[new_index[j - 1]])
            if placement.status == ORPHANED:
                lost += 1
            elif (placement.anchor.start, placement.anchor.end) == expected:
                kept += 1
            else:
                misplaced += 1
                report(
                    old_text,
                    new_text,
                    anchors[len(spans) and spans.index((i, j))],
                    placement,
                    expected,
                )
            continue
        if placement.status == ORPHANED:
            orphaned_edited += 1
            continue
        survivors = [new_index[k] for k in range(i, j) if k in new_index]
        if not survivors:
            misplaced += 1
            continue
        slack = 20  # one edited word either side
        low, high = new_starts[survivors[0]] - slack, new_ends[survivors[-1]] + slack
        inside = low <= placement.anchor.start and placement.anchor.end <= high
        if inside:
            followed += 1
        else:
            misplaced += 1
            report(old_text, new_text, anchors[spans.index((i, j))], placement, (low, high))

    print(f"machine: {machine()}")
    print(
        f"reading: {args.words:,} words, {len(old_text):,} characters; "
        f"{len(edits)} words edited ({len(new_text):,} characters after)"
    )
    print(f"re-anchored {args.annotations:,} annotations in {seconds:.2f} s")
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in statuses.items()))
    print(
        f"untouched passages: kept {kept:,}, lost {lost:,}; "
        f"edited passages: followed the edit {followed:,}, orphaned {orphaned_edited:,}"
    )
    print(f"misplaced: {misplaced}")
    if args.through_db:
        through_db(old_text, new_text, spans, old_starts, old_ends)


def through_db(old_text, new_text, spans, old_starts, old_ends):
    from harness import django_setup

    connection = django_setup()
    from annotations.models import Annotation
    from annotations.revisions.readings import parse_pasted, reading_import
    from annotations.revisions.services import reading_revise_and_reanchor
    from seminar.models import User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x")
    seminar = seminar_create(title="Bench", creator=teacher)
    reading = reading_import(
        seminar=seminar,
        creator=teacher,
        parsed=parse_pasted(source=old_text, format="text"),
        title="Long reading",
    )
    revision = reading.current_revision
    text = revision.text
    rows = []
    for i, j in spans:
        # Offsets into the stored text, which the importer may have normalised.
        exact = old_text[old_starts[i] : old_ends[j - 1]]
        start = text.find(exact)
        if start == -1:
            continue
        a = anchor_at(text, start, start + len(exact))
        rows.append(
            Annotation(
                reading=reading,
                revision=revision,
                anchored_revision=revision,
                author=teacher,
                kind="critique",
                text="x",
                html="<p>x</p>",
                quote_exact=a.exact,
                original_quote=a.exact,
                quote_prefix=a.prefix,
                quote_suffix=a.suffix,
                start=a.start,
                end=a.end,
                anchor_status="anchored",
            )
        )
    Annotation.objects.bulk_create(rows, batch_size=2000)
    began = time.perf_counter()
    _revision, summary = reading_revise_and_reanchor(
        reading=reading, editor=teacher, source=new_text, format="text"
    )
    seconds = time.perf_counter() - began
    print(
        f"through the database ({connection.vendor}): {len(rows):,} annotations, "
        f"edit transaction {seconds:.2f} s ({summary})"
    )
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
