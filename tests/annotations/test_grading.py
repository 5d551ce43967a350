"""The grading policy against hand-worked examples (annotations.grading.policy is pure Python)."""

import datetime

from annotations.grading.policy import Policy, Post, participation, suggest

DUE = datetime.datetime(2026, 3, 4, 17, 0, tzinfo=datetime.UTC)
ON_TIME = DUE - datetime.timedelta(days=1)
LATE = DUE + datetime.timedelta(hours=2)


def post(i, score, created=ON_TIME, kind="critique", **extra):
    return Post(id=i, kind=kind, created=created, score=score, **extra)


def test_best_n_of_more_posts():
    posts = [post(1, 3), post(2, 1), post(3, 2), post(4, 3)]
    result = suggest(posts, DUE, Policy(score_max=3, best_n=3))
    # 3 + 3 + 2 = 8 of 9 -> 88.9
    assert result.grade == 88.9
    assert result.explanation == "Best 3 of 4 scored posts: 3 + 3 + 2 = 8 of 9 → 88.9%"
    assert [pid for pid, _, _ in result.counted] == [1, 4, 3]


def test_missing_posts_count_zero():
    result = suggest([post(1, 3)], DUE, Policy(score_max=3, best_n=3))
    # 3 + 0 + 0 = 3 of 9 -> 33.3
    assert result.grade == 33.3
    assert result.explanation.endswith("(2 missing posts count 0)")


def test_late_penalty_applies_after_the_grace_period():
    posts = [post(1, 2, LATE), post(2, 2, ON_TIME)]
    policy = Policy(score_max=3, best_n=2, late_penalty=25, grace_minutes=0)
    # on time 2 + late 2*0.75 = 1.5 -> 3.5 of 6 -> 58.3
    result = suggest(posts, DUE, policy)
    assert result.grade == 58.3
    assert "1.5 (late: 2 − 25%)" in result.explanation


def test_grace_period_keeps_a_slightly_late_post_on_time():
    posts = [post(1, 2, LATE), post(2, 2, ON_TIME)]
    policy = Policy(score_max=3, best_n=2, late_penalty=25, grace_minutes=180)
    # both on time: 4 of 6 -> 66.7
    assert suggest(posts, DUE, policy).grade == 66.7


def test_a_late_post_can_still_be_among_the_best():
    posts = [post(1, 3, LATE), post(2, 1)]
    policy = Policy(score_max=3, best_n=1, late_penalty=50)
    # late 3 -> 1.5 beats on-time 1 -> 1.5 of 3 -> 50
    assert suggest(posts, DUE, policy).grade == 50.0


def test_no_due_date_means_nothing_is_late():
    assert suggest([post(1, 3, LATE)], None, Policy(best_n=1)).grade == 100.0


def test_no_scores_no_suggestion():
    result = suggest([post(1, None)], DUE, Policy())
    assert result.grade is None and result.explanation == "No scored posts yet."


def test_participation_counts():
    posts = [
        post(1, None, words=12, passage=(5, 20), helpful=2),
        post(2, None, words=30, passage=(5, 20)),
        post(3, None, LATE, kind="reply", words=7, helpful=1),
    ]
    counts = participation(posts, DUE, Policy())
    assert (
        counts.annotations,
        counts.replies,
        counts.words,
        counts.passages,
        counts.helpful,
        counts.late,
        counts.posts,
    ) == (2, 1, 49, 1, 3, 1, 3)


def test_hidden_posts_count_only_if_the_policy_says_so():
    posts = [post(1, 3, hidden=True), post(2, 1), post(3, None, hidden=True, kind="reply")]
    left_out = suggest(posts, DUE, Policy(score_max=3, best_n=1))
    assert left_out.grade == 33.3  # the hidden 3 is not counted: only the 1
    assert left_out.explanation == (
        "Best 1 of 1 scored post: 1 = 1 of 3 → 33.3%; 2 hidden posts, not counted"
    )
    figures = participation(posts, DUE, Policy())
    assert (figures.posts, figures.replies, figures.hidden) == (1, 0, 2)
    counted = suggest(posts, DUE, Policy(score_max=3, best_n=1, count_hidden=True))
    assert (counted.grade, counted.explanation) == (
        100.0,
        "Best 1 of 2 scored posts: 3 = 3 of 3 → 100.0%",
    )
    assert participation(posts, DUE, Policy(count_hidden=True)).hidden == 0


def test_hidden_posts_alone_are_named_never_missing():
    only = suggest([post(1, 2, hidden=True)], DUE, Policy())
    assert (only.grade, only.explanation) == (None, "1 hidden post, not counted.")
    unscored = suggest([post(1, None), post(2, 2, hidden=True)], DUE, Policy())
    assert unscored.explanation == "No scored posts yet; 1 hidden post, not counted."
