"""What a person types into the search box, read once and written out for each database.

The syntax is PostgreSQL's `websearch_to_tsquery`, the one people know from search engines:

- words are all required: `sovereignty timing` finds posts with both;
- `"quoted words"` must stand together, in that order (a phrase); an unclosed quote runs
  to the end of the text;
- `or` between words or phrases offers alternatives (`chad or niger`); it binds more
  loosely than the words around it, so `a b or c` is `(a and b) or c`;
- `-word` or `-"a phrase"` leaves out what contains it.

Nothing else is an operator: `*`, `:`, `^`, `NEAR(`, `AND`, brackets and the like are
plain text, which the databases' tokenizers drop as punctuation. `parse` never fails; a term
with no letter or digit is dropped, and so is an alternative with nothing to look for but
exclusions (`-word` alone would mean "everything without word", which is no search).

`Query.fts5()` writes the query for SQLite's FTS5, quoting every term, so user text is never
read as FTS5 syntax; `Query.websearch()` writes it back, terms quoted, for
`websearch_to_tsquery`, so that both databases read the same query.
"""

from __future__ import annotations

from dataclasses import dataclass

OR = "or"


@dataclass(frozen=True)
class Term:
    text: str  # a word or a phrase, without quotes
    exclude: bool = False


@dataclass(frozen=True)
class Alternative:
    """Terms that must all be there, and terms that must not."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    alternatives: tuple[Alternative, ...]

    def __bool__(self) -> bool:
        return bool(self.alternatives)

    def fts5(self) -> str:
        """The FTS5 MATCH expression: every term a quoted string."""
        parts = []
        for alternative in self.alternatives:
            expression = "(" + " AND ".join(_fts5_string(t) for t in alternative.include) + ")"
            for term in alternative.exclude:
                expression = f"({expression} NOT {_fts5_string(term)})"
            parts.append(expression)
        return " OR ".join(parts)

    def websearch(self) -> str:
        """The same query for `websearch_to_tsquery`, every term quoted."""
        parts = []
        for alternative in self.alternatives:
            terms = [f'"{t}"' for t in alternative.include]
            terms += [f'-"{t}"' for t in alternative.exclude]
            parts.append(" ".join(terms))
        return " or ".join(parts)

    def terms(self) -> list[str]:
        """The words and phrases looked for (exclusions left out)."""
        return [term for a in self.alternatives for term in a.include]


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _clean(text: str) -> str:
    # Control characters are no part of a word, and two of them mark snippets (snippets.py).
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _tokens(text: str) -> list[Term | None]:
    """Terms in order; None stands for an `or`."""
    tokens: list[Term | None] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        exclude = False
        if ch == "-" and i + 1 < n and not text[i + 1].isspace():
            exclude, i = True, i + 1
            ch = text[i]
        if ch == '"':
            close = text.find('"', i + 1)
            end = n if close == -1 else close
            phrase = " ".join(text[i + 1 : end].split())
            tokens.append(Term(phrase, exclude))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        word = text[start:i]
        if not exclude and word.casefold() == OR:
            tokens.append(None)
        else:
            tokens.append(Term(word, exclude))
    return tokens


def parse(text: str) -> Query:
    """The query in `text`, whatever it holds."""
    alternatives: list[Alternative] = []
    include: list[str] = []
    exclude: list[str] = []

    def close() -> None:
        if include:
            alternatives.append(Alternative(tuple(include), tuple(exclude)))
        include.clear()
        exclude.clear()

    for token in _tokens(_clean(text)):
        if token is None:
            close()
        elif _has_word(token.text):
            (exclude if token.exclude else include).append(token.text)
    close()
    return Query(tuple(alternatives))
