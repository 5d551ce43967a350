"""The staff's "Groups" page: a seminar's groups with their students and those in no group;
for instructors, forms to make a group, move students (a select per student), split the
class at random, import a CSV file and delete a group. The services are seminar/groups.py.

Each form posts to its own address; a refusal shows the page again with the error beside
the field (status 400), success goes back to the page with a message.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from seminar import groups as services
from seminar.access import access_staff_seminar
from seminar.errors import ServiceError
from seminar.models import Group
from seminar.permissions import can_manage_groups, can_view_groups


class GroupForm(forms.Form):
    prefix = "new"
    name = forms.CharField(max_length=services.NAME_CHARS, label="Name of the group")


class SplitForm(forms.Form):
    prefix = "split"
    size = forms.IntegerField(
        min_value=1,
        max_value=services.MAX_SPLIT_SIZE,
        initial=4,
        label="Students per group",
        help_text="The remainder is spread out: 10 students in groups of 4 make 4, 3 and 3.",
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace the groups there are",
        help_text="They are deleted first and every student is regrouped. No post changes.",
    )


class ImportForm(forms.Form):
    prefix = "csv"
    file = forms.FileField(
        label="CSV file",
        help_text="A header line “username,group” (or “email,group”), then one student a "
        "line. Missing groups are made; students not listed stay where they are.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _page(request, seminar, status=200, **bound):
    groups, ungrouped = services.group_listing(seminar)
    students = sorted(
        [m for g in groups for m in g.members] + ungrouped,
        key=lambda m: (m.user.name.casefold(), m.user.username),
    )
    context = {
        "seminar": seminar,
        "groups": groups,
        "ungrouped": ungrouped,
        "students": students,
        "can_manage": can_manage_groups(request.user, seminar),
        "group_form": bound.get("group_form") or GroupForm(),
        "split_form": bound.get("split_form") or SplitForm(),
        "import_form": bound.get("import_form") or ImportForm(),
        "move_error": bound.get("move_error"),
        "name_chars": services.NAME_CHARS,
    }
    return render(request, "seminar/groups.html", context, status=status)


def _back(seminar):
    return redirect("groups", slug=seminar.slug)


def _managed(request, slug):
    return access_staff_seminar(request.user, slug, allowed=can_manage_groups)


@login_required
def groups_page(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_view_groups)
    return _page(request, seminar)


@login_required
@require_POST
def group_new(request, slug):
    seminar = _managed(request, slug)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.group_create(
                seminar=seminar, actor=request.user, name=form.cleaned_data["name"]
            )
        except ServiceError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Group “{group.name}” made.")
            return _back(seminar)
    return _page(request, seminar, status=400, group_form=form)


def _placement(post) -> dict[int, int | None]:
    """user id -> group id (None: no group) of each select the instructor changed: one left
    as the page showed it moves nobody, though someone else moved them since."""
    placement = {}
    for key, value in post.items():
        if not key.startswith("to-") or post.get("was-" + key[3:]) == value:
            continue
        user_id, group_id = key[3:], value
        if not user_id.isdigit() or not (group_id.isdigit() or group_id == ""):
            raise ServiceError("Choose a group, or no group, for each student.")
        placement[int(user_id)] = int(group_id) if group_id else None
    return placement


@login_required
@require_POST
def group_move(request, slug):
    seminar = _managed(request, slug)
    try:
        placement = _placement(request.POST)
        moved = services.groups_assign(seminar=seminar, actor=request.user, placement=placement)
    except ServiceError as exc:
        return _page(request, seminar, status=400, move_error=str(exc))
    if moved:
        more = f" And {len(moved) - 5} more." if len(moved) > 5 else ""
        messages.success(request, " ".join(moved[:5]) + more)
    else:
        messages.info(request, "Nobody moved: choose another group for a student first.")
    return _back(seminar)


@login_required
@require_POST
def group_split(request, slug):
    seminar = _managed(request, slug)
    form = SplitForm(request.POST)
    if form.is_valid():
        try:
            groups = services.groups_split_random(
                seminar=seminar, actor=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            count = len(groups)
            messages.success(
                request, f"The class is split at random into {count} group{pluralize(count)}."
            )
            return _back(seminar)
    return _page(request, seminar, status=400, split_form=form)


@login_required
@require_POST
def group_import(request, slug):
    seminar = _managed(request, slug)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > services.CSV_MAX_BYTES:
                raise ServiceError(
                    f"The file is {upload.size // 1024} KB; a groups file may be "
                    f"{services.CSV_MAX_BYTES // 1024} KB at most."
                )
            result = services.groups_import_csv(
                seminar=seminar, actor=request.user, data=upload.read()
            )
        except services.ImportProblems as exc:
            form.add_error("file", "Nothing was imported. Fix these lines and import it again:")
            for problem in exc.problems[: services.PROBLEMS_SHOWN]:
                form.add_error("file", problem[:1].upper() + problem[1:] + ".")
            more = len(exc.problems) - services.PROBLEMS_SHOWN
            if more > 0:
                form.add_error("file", f"And {more} more.")
        except ServiceError as exc:
            form.add_error("file", str(exc))
        else:
            made = len(result.created)
            messages.success(
                request,
                f"Imported: {result.moved} student{pluralize(result.moved)} moved, "
                f"{result.unchanged} already in place, {made} group{pluralize(made)} made.",
            )
            return _back(seminar)
    return _page(request, seminar, status=400, import_form=form)


@login_required
@require_POST
def group_remove(request, slug, pk):
    seminar = _managed(request, slug)
    group = get_object_or_404(Group, seminar=seminar, pk=pk)
    count = services.group_delete(group=group, actor=request.user)
    messages.success(
        request,
        f"Group “{group.name}” deleted; its {count} member{pluralize(count)} "
        f"{pluralize(count, 'is,are')} in no group now. No post changed.",
    )
    return _back(seminar)
