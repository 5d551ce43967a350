"""A readable diff of two revisions' texts: words struck out and added, paragraph by paragraph.

Unchanged paragraphs far from any change collapse to a count, so a one-word fix in a long
reading shows as one paragraph. The markup is <del>/<ins> with escaped text, no inline styles.
"""

import re

from diff_match_patch import diff_match_patch
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONTEXT = 1  # unchanged paragraphs shown around a change
TOKENS = re.compile(r"\n|[^\S\n]+|\w+|[^\w\s]")


def _word_diff(old, new):
    """diff-match-patch over words, not letters: each distinct word becomes one character
    (the library's own line-mode trick), so "lead" -> "led" reads as a word replaced."""
    vocabulary: dict[str, str] = {}
    words: list[str] = []

    def encode(text):
        out = []
        for token in TOKENS.findall(text):
            if token not in vocabulary:
                vocabulary[token] = chr(0x10000 + len(words))
                words.append(token)
            out.append(vocabulary[token])
        return "".join(out)

    engine = diff_match_patch()
    engine.Diff_Timeout = 5.0
    diffs = engine.diff_main(encode(old), encode(new), False)
    engine.diff_cleanupSemantic(diffs)
    return [(op, "".join(words[ord(c) - 0x10000] for c in chunk)) for op, chunk in diffs]


def _paragraphs(diffs):
    """[[(op, text), ...], ...]: the diff cut at paragraph breaks of the new text."""
    paragraphs, current = [], []
    for op, text in diffs:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                if op == -1:  # a removed paragraph break joins paragraphs; show it as ¶
                    current.append((op, "¶"))
                    continue
                paragraphs.append(current)
                current = []
            if part:
                current.append((op, part))
    paragraphs.append(current)
    return paragraphs


def _render(segments):
    out = []
    for op, text in segments:
        if op == 0:
            out.append(escape(text))
        elif op == -1:
            out.append(f"<del>{escape(text)}</del>")
        else:
            out.append(f"<ins>{escape(text)}</ins>")
    return "".join(out)


def diff_html(old, new):
    paragraphs = _paragraphs(_word_diff(old, new))
    changed = [any(op != 0 for op, _ in p) for p in paragraphs]
    near = [
        any(changed[j] for j in range(max(0, i - CONTEXT), min(len(paragraphs), i + CONTEXT + 1)))
        for i in range(len(paragraphs))
    ]
    html, skipped = [], 0
    for paragraph, is_changed, shown in zip(paragraphs, changed, near, strict=True):
        if not shown:
            skipped += 1
            continue
        if skipped:
            html.append(
                f'<p class="diff-skip">… {skipped} unchanged paragraph'
                f"{'s' if skipped != 1 else ''} …</p>"
            )
            skipped = 0
        css = ' class="diff-changed"' if is_changed else ""
        html.append(f"<p{css}>{_render(paragraph)}</p>")
    if skipped:
        html.append(
            f'<p class="diff-skip">… {skipped} unchanged paragraph'
            f"{'s' if skipped != 1 else ''} …</p>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every text part is escaped above
