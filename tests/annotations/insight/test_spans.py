"""The sweep that cuts a reading into merged spans, checked against overlaps worked out by
hand: overlapping, nested and adjacent passages, by kind."""

from annotations.insight.spans import Span, boundaries, hot_passages, sweep


def spans_of(*passages):
    return [span.as_dict() for span in sweep(boundaries(passages))]


def counts(start, end, **kinds):
    shown = {"questions": 0, "critiques": 0, "evidence": 0, "connections": 0, "notes": 0}
    shown.update(kinds)
    return {"start": start, "end": end, "posts": sum(kinds.values()), **shown}


def test_nothing_covered_is_no_span():
    assert spans_of() == []


def test_overlapping_passages_make_three_spans():
    # [0, 10) and [5, 15): 0-5 one post, 5-10 both, 10-15 the second only.
    assert spans_of((0, 10, "critique"), (5, 15, "question")) == [
        counts(0, 5, critiques=1),
        counts(5, 10, critiques=1, questions=1),
        counts(10, 15, questions=1),
    ]


def test_a_nested_passage_heats_its_middle():
    assert spans_of((0, 20, "question"), (5, 8, "question")) == [
        counts(0, 5, questions=1),
        counts(5, 8, questions=2),
        counts(8, 20, questions=1),
    ]


def test_adjacent_passages_of_one_kind_merge_and_of_two_kinds_do_not():
    assert spans_of((0, 5, "note"), (5, 9, "note")) == [counts(0, 9, notes=1)]
    assert spans_of((0, 5, "note"), (5, 9, "evidence")) == [
        counts(0, 5, notes=1),
        counts(5, 9, evidence=1),
    ]


def test_a_gap_between_passages_stays_a_gap():
    assert spans_of((0, 3, "critique"), (7, 9, "critique")) == [
        counts(0, 3, critiques=1),
        counts(7, 9, critiques=1),
    ]


def test_the_same_passage_twice_counts_twice():
    assert spans_of((2, 6, "connection"), (2, 6, "connection")) == [counts(2, 6, connections=2)]


def test_an_empty_passage_covers_nothing():
    assert spans_of((4, 4, "critique")) == []


def test_summed_boundaries_give_the_same_spans_as_one_per_post():
    # What the query sends: each position and kind once, with its summed change.
    summed = [(0, "critique", 2), (5, "critique", -1), (9, "critique", -1)]
    one_each = boundaries([(0, 5, "critique"), (0, 9, "critique")])
    assert sweep(summed) == sweep(one_each)


def test_hot_passages_take_the_peak_and_what_is_half_as_hot_beside_it():
    spans = [
        Span(0, 10, (0, 1, 0, 0, 0)),  # 1 post
        Span(10, 20, (2, 1, 0, 0, 0)),  # 3
        Span(20, 30, (4, 0, 0, 0, 0)),  # 4: the peak
        Span(30, 40, (1, 0, 0, 0, 0)),  # 1: less than half of 4
        Span(50, 60, (0, 0, 2, 0, 0)),  # 2, apart from the rest
    ]
    # The 1-post spans touching the peak's passage are its flanks, not passages.
    assert hot_passages(spans) == [(10, 30, 4), (50, 60, 2)]
    assert hot_passages(spans, limit=1) == [(10, 30, 4)]


def test_a_second_hill_beyond_a_valley_is_a_passage_of_its_own():
    spans = [
        Span(0, 10, (3, 0, 0, 0, 0)),
        Span(10, 20, (1, 0, 0, 0, 0)),  # the valley: a flank of both
        Span(20, 30, (0, 3, 0, 0, 0)),
    ]
    assert hot_passages(spans) == [(0, 10, 3), (20, 30, 3)]
