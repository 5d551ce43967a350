"""Every page of the site, as each role reaches it, for the whole-site browser checks.

`build_site()` makes one seminar with everything a page can show: an instructor, a TA, two
students and an outsider; a published reading with two revisions (so there is a history, a
diff, a restore preview and an orphaned passage), a draft; critiques, questions, replies,
helpful marks, a page comment, a private note; flags open and settled, a hidden post with
its reason, a post waiting for approval; scores, a final grade with feedback, released
grades; notifications, an API token, finished and failed export jobs.

`pages(site, role)` lists what `role` (anonymous, student, ta, instructor) may open, taken
from config/urls.py: every page that answers a GET with HTML. Left out on purpose: Django's
admin (not the product's pages), downloads (CSV, JSON-LD, ZIP: attachments, not pages), and
POST-only endpoints. A page is a `Page(name, path, status, then)`; `then(page, site)` runs
after loading it, to reach a state a plain visit does not (the composer open, the keyboard
selection on, an edit's preview). `visit(page, entry, site)` loads one and checks its status.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from annotations.grading import gradebook
from annotations.models import ExportJob, JobStatus
from annotations.moderation.services import annotation_moderate, flag_create
from annotations.notifications.unsubscribe import unsubscribe_token
from annotations.revisions.readings import reading_save
from annotations.services import annotation_create, comment_create, reply_create, vote_add
from seminar.models import ReadingStatus, Role
from seminar.pseudonyms import pseudonym_assign
from seminar.services import seminar_create
from seminar.tokens import token_create
from tests.conftest import PASSWORD, import_reading, make_user, member
from tests.texts import AID, BLOG, CHAIN, HAVEN, NEWS, PLEDGED, SWEET_SPOT

from .conftest import log_in
from .test_annotator import SELECT

ROLES = ["anonymous", "student", "ta", "instructor"]
LOGIN = {"student": "lena", "ta": "weber", "instructor": "okafor"}

# The one revision's edit: a typo fixed, and the sentence holding an annotation deleted.
LEAD, LED = "This has lead to", "This has led to"
DELETED_SENTENCE = re.compile(r"Since the money arrived.*?\(Lakeside Herald, 2014\)\s*")
IN_DELETED = "reportedly killed by Chad’s soldiers"

LONG_REASON = (
    "Criticise the claim, not the classmates who hold it: this post calls the people who "
    "disagree names, which the seminar's ground rules (week 1 handout) ask us not to do."
)


@dataclass
class Site:
    seminar: object
    reading: object
    draft: object
    instructor: object
    ta: object
    student: object
    student2: object
    reset_path: str = ""
    unsubscribe_path: str = ""


@dataclass
class Page:
    name: str
    path: str
    status: int = 200
    then: Callable | None = None
    errors_tab: bool = False  # answers with an error status after `then`


def _post(reading, author, phrase, kind, text, **extra):
    start = reading.current_revision.text.index(phrase)
    annotation, _ = annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        quote={"exact": phrase, "start": start, "end": start + len(phrase)},
        **extra,
    )
    return annotation


def build_site(settings):
    """The seminar; `settings` is pytest-django's fixture (for the pages settings switch on)."""
    settings.SEMINAR_SELF_ERASURE = True
    settings.AXES_FAILURE_LIMIT = 3  # the lockout page after three wrong passwords
    instructor = make_user("okafor", "Dr. Okafor")
    seminar = seminar_create(
        title="Intervention and Peacebuilding",
        term="Spring",
        description="Close reading of the Lake Chad basin coverage, one post a week.",
        creator=instructor,
    )
    ta = member(seminar, "weber", "Jonas Weber", Role.TA)
    student = member(seminar, "lena", "Lena Ortiz", Role.STUDENT)
    student2 = member(seminar, "sam", "Sam Park", Role.STUDENT)
    pseudonym_assign(seminar=seminar)
    outsider = make_user("mallory", "Mallory Outsider")
    seminar_create(title="Another seminar", creator=outsider)

    reading = import_reading(seminar, BLOG, creator=instructor)
    reading.due = timezone.now() + datetime.timedelta(days=3)
    reading.save(update_fields=["due"])
    draft = import_reading(seminar, NEWS, status=ReadingStatus.DRAFT, creator=instructor)

    critique = _post(
        reading,
        student,
        SWEET_SPOT,
        "critique",
        "Is the **sweet spot** claim premature?",
        tags=["timing", "evidence"],
    )
    question = _post(reading, student2, AID, "question", "Aid is not support: which is meant?")
    evidence = _post(reading, student, PLEDGED, "evidence", "The AU's own figures differ.")
    _post(reading, student, HAVEN, "connection", "Connects to week 3: the Algiers talks.")
    _post(reading, student2, IN_DELETED, "critique", "Reported by whom?")  # orphaned below
    _post(reading, student, CHAIN, "note", "Ask about this in class.", visibility="private")
    rude = _post(
        reading, student2, CHAIN, "critique", "Anyone who believes this has not read a paper."
    )
    reply, _ = reply_create(parent=critique, author=student2, text="MINUSMA had both problems.")
    reply_create(parent=reply, author=instructor, text="Good: find one mission that fits.")
    reply_create(parent=question, author=ta, text="Both, and they rarely agree.")
    vote_add(annotation=critique, user=student2)
    vote_add(annotation=question, user=student)
    comment_create(reading=reading, author=student, text="A page comment on the whole post.")

    # Moderation: open flags, one settled by hiding, one dismissed; a post waiting.
    flag_create(annotation=rude, user=student, reason="disrespectful", note="Mocks classmates.")
    flag_create(annotation=question, user=student, reason="off_topic")
    flag_create(annotation=evidence, user=student2, reason="other", note="Not really evidence.")
    annotation_moderate(annotation=rude, moderator=instructor, action="hide", reason=LONG_REASON)
    annotation_moderate(annotation=evidence, moderator=ta, action="dismiss")
    annotation_moderate(annotation=critique, moderator=instructor, action="pin")
    seminar.premoderation = True
    seminar.save(update_fields=["premoderation"])
    _post(reading, student2, "foreign aid", "question", "Whose aid, exactly?")
    seminar.premoderation = False
    seminar.save(update_fields=["premoderation"])

    # Grading: scores, a final grade with feedback, released.
    gradebook.score_set(annotation=critique, grader=ta, value=3, comment="Sharp.")
    gradebook.score_set(annotation=evidence, grader=instructor, value=2)
    gradebook.score_set(annotation=question, grader=ta, value=1)
    gradebook.grade_set(
        reading=reading,
        student=student,
        grader=instructor,
        final=91,
        feedback="Sharp questions. Next time, bring a source for the chain-of-command claim.",
    )
    gradebook.grades_release(reading=reading, by=instructor)

    # A second revision: the typo fixed, a sentence with an annotation in it deleted.
    first = reading.current_revision
    reading_save(
        reading=reading,
        editor=instructor,
        title=reading.title,
        byline=reading.byline,
        date=reading.date,
        due=reading.due,
        status=reading.status,
        source=DELETED_SENTENCE.sub("", first.source.replace(LEAD, LED), count=1),
        format=first.format,
        note="Fixed a typo; cut the unsourced sentence.",
    )
    reading.refresh_from_db()

    for user in (instructor, ta, student):
        token_create(user=user, name="Notebook script")
    now = timezone.now()
    ExportJob.objects.create(
        seminar=seminar,
        requested_by=instructor,
        status=JobStatus.DONE,
        progress=100,
        file_path="missing.zip",
        finished=now,
    )
    ExportJob.objects.create(
        seminar=seminar,
        requested_by=ta,
        options={"include_hidden": True, "pseudonyms": True},
        status=JobStatus.FAILED,
        error="The disk is full.",
        finished=now,
    )

    uid = urlsafe_base64_encode(force_bytes(student2.pk))
    token = default_token_generator.make_token(student2)
    unsubscribe = unsubscribe_token(user_id=student.pk, topic="reply")
    return Site(
        seminar=seminar,
        reading=reading,
        draft=draft,
        instructor=instructor,
        ta=ta,
        student=student,
        student2=student2,
        reset_path=f"/accounts/reset/{uid}/{token}/",
        unsubscribe_path=f"/email/unsubscribe/{unsubscribe}/",
    )


def wait_annotator(page, site):
    # Set by the page once the saved highlights are painted.
    page.wait_for_selector("body[data-annotator-ready]", state="attached")


def open_composer(page, site):
    wait_annotator(page, site)
    page.evaluate(SELECT, AID)
    page.get_by_role("button", name="Annotate").click()
    page.wait_for_selector("dialog.composer[open]")
    page.get_by_role("textbox", name="Your annotation").fill("Which donors, and how much?")


def keyboard_mode(page, site):
    wait_annotator(page, site)
    page.get_by_role("button", name="Select text with keyboard").click()
    page.wait_for_selector("#reading-body.caret-mode")


def edit_preview(page, site):
    """Change the text so that an annotation's passage goes: the page previews the effect."""
    source = page.locator("textarea[name=source]")
    source.fill(source.input_value().replace(SWEET_SPOT, "found its moment"))
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector(".edit-preview")


def lock_out(page, site):
    """Wrong passwords until logging in pauses: the lockout page."""
    for _ in range(3):
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("load")
    page.get_by_role("heading", name="Too many attempts").wait_for()


def open_menu(page, site):
    """The phone's collapsed navigation, opened."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
        page.wait_for_selector("#nav-menu.show")


def pages(site, role, width=390):
    """What `role` opens, at a viewport `width` px wide.

    Pages that read the same for every member (the account forms, the invite, the API
    reference, a 404) are visited as the student only; what differs by role (dashboard,
    seminar, reading, the staff pages) as each role. The collapsed menu opens on a phone."""
    s = site.seminar.slug
    r = f"/s/{s}/r/{site.reading.slug}"
    d = f"/s/{s}/r/{site.draft.slug}"
    student = site.student.pk
    phone = width < 768
    if role == "anonymous":
        return [
            Page("landing", "/"),
            *([Page("landing, menu open", "/", then=open_menu)] if phone else []),
            Page("login", "/accounts/login/"),
            Page("login via a staff page", f"/s/{s}/grades/"),
            Page("signup", "/accounts/signup/"),
            Page("password reset", "/accounts/password_reset/"),
            Page("password reset sent", "/accounts/password_reset/done/"),
            Page("password reset: new password", site.reset_path),
            Page("password reset: bad link", "/accounts/reset/MQ/not-a-token/"),
            Page("password reset complete", "/accounts/reset/done/"),
            Page("unsubscribe from an email", site.unsubscribe_path),
            Page("unsubscribe: bad link", "/email/unsubscribe/not-a-token/", status=400),
            Page("404", "/no-such-page/", status=404),
            Page("api docs", "/api/docs"),
            # Last: it locks the address out of logging in.
            Page("login: locked out", "/accounts/login/", then=lock_out, errors_tab=True),
        ]
    common = [
        Page("dashboard", "/dashboard/"),
        *([Page("dashboard, menu open", "/dashboard/", then=open_menu)] if phone else []),
        Page("seminar", f"/s/{s}/"),
        Page("reading", f"{r}/", then=wait_annotator),
        Page("reading, composer open", f"{r}/", then=open_composer),
        Page("notifications", "/notifications/"),
    ]
    if role == "student":
        return common + [
            Page("reading, keyboard selection", f"{r}/", then=keyboard_mode),
            Page("my grades", f"/s/{s}/grades/mine/"),
            Page("my export", f"/s/{s}/export/mine/"),
            Page("join", "/join/"),
            Page("invite", f"/join/{site.seminar.invite_token}/"),
            Page("invite: bad link", "/join/not-a-token/", status=404),
            Page("new seminar", "/seminars/new/"),
            Page("profile", "/accounts/profile/"),
            Page("email settings", "/accounts/email/"),
            Page("password change", "/accounts/password_change/"),
            Page("password changed", "/accounts/password_change/done/"),
            Page("erase account", "/accounts/erase/"),
            Page("404", f"/s/{s}/no-such-page/", status=404),
            Page("404 for a staff page", f"/s/{s}/roster/", status=404),
            Page("404 for before class", f"{r}/insight/", status=404),
            Page("api docs", "/api/docs"),
        ]
    staff = [
        Page("draft reading", f"{d}/", then=wait_annotator),
        Page("reading history", f"{r}/history/"),
        Page("gradebook", f"/s/{s}/grades/"),
        Page("grade a student", f"{r}/grades/{student}/"),
        Page("a student's grades", f"/s/{s}/grades/student/{student}/"),
        Page("moderation queue", f"/s/{s}/moderation/"),
        Page("audit log", f"/s/{s}/moderation/audit/"),
        Page("export", f"/s/{s}/export/"),
        Page("groups", f"/s/{s}/groups/"),
        Page("open questions", f"/s/{s}/questions/"),
        Page("before class", f"{r}/insight/"),
        Page("activity", f"/s/{s}/activity/"),
    ]
    if role == "ta":
        return (
            common
            + staff
            + [
                Page("403: seminar settings", f"/s/{s}/edit/", status=403),
                Page("403: grading policy", f"/s/{s}/grades/policy/", status=403),
                Page("403: new term", f"/s/{s}/new-term/", status=403),
                Page("403: import annotations", f"{r}/import-annotations/", status=403),
            ]
        )
    return (
        common
        + staff
        + [
            Page("reading history, first revision", f"{r}/history/?a=1&b=1"),
            Page("grade a student with no posts", f"{d}/grades/{site.student2.pk}/"),
            Page("roster", f"/s/{s}/roster/"),
            Page("seminar settings", f"/s/{s}/edit/"),
            Page("new reading", f"/s/{s}/readings/new/"),
            Page("edit reading", f"{r}/edit/"),
            Page("edit reading: preview", f"{r}/edit/", then=edit_preview),
            Page("restore preview", f"{r}/history/1/restore/"),
            Page("grading policy", f"/s/{s}/grades/policy/"),
            Page("import annotations", f"{r}/import-annotations/"),
            Page("new term", f"/s/{s}/new-term/"),
            Page("email settings, as a moderator", "/accounts/email/"),
        ]
    )


def start(open_page, role, viewport):
    """A page in a fresh context, logged in as `role` (or not, for anonymous)."""
    page = open_page(viewport)
    # No transitions: axe reads colours as they are, not halfway through a button's fade.
    page.emulate_media(reduced_motion="reduce")
    # The fixture fails the test on a console error at the end; here it is also pinned on
    # the page that logged it.
    page.on("console", lambda m: m.type == "error" and _note(page, m.text))
    page.on("pageerror", lambda e: _note(page, str(e)))
    if role != "anonymous":
        log_in(page, LOGIN[role], PASSWORD)
    return page


def visit(page, entry, site):
    """Load one page; returns the browser tab it is on.

    A page answered with an error status loads in a second tab of the same context, whose
    console may say the document failed to load (what Chromium logs for any 4xx document)
    and nothing else; the first tab's console must stay free of errors."""
    tab = page
    if entry.status >= 400 or entry.errors_tab:
        tab = _error_tabs.get(page)
        if tab is None:
            tab = _error_tabs[page] = page.context.new_page()
            tab.on("console", lambda m: m.type == "error" and _unexpected(m.text, tab))
            tab.on("pageerror", lambda e: _unexpected(str(e), tab))
    response = tab.goto(entry.path)
    assert response is not None and response.status == entry.status, (
        f"{entry.name} ({entry.path}): status {response and response.status}"
    )
    tab.wait_for_load_state("load")
    if entry.then:
        entry.then(tab, site)
    errors = _tab_errors.pop(tab, [])
    assert not errors, f"{entry.name} ({entry.path}): {errors}"
    return tab


_error_tabs = {}
_tab_errors = {}
_DOCUMENT_FAILED = re.compile(r"^Failed to load resource: the server responded with a status of 4")


def _note(tab, text):
    _tab_errors.setdefault(tab, []).append(text)


def _unexpected(text, tab):
    if not _DOCUMENT_FAILED.match(text):
        _note(tab, text)
