from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import annotations.agenda.views as agenda
import annotations.export.views as exports
import annotations.views as readings
from annotations.api import router as annotations_api
from annotations.carryover import views as carryover
from annotations.export.api import router as exports_api
from annotations.grading import downloads as grading_export
from annotations.grading import views as grading
from annotations.grading.api import router as grading_api
from annotations.insight import activity_views as activity
from annotations.insight import views as insight
from annotations.insight.api import router as insight_api
from annotations.interchange import views as interchange
from annotations.interchange.api import router as interchange_api
from annotations.live.api import router as live_api
from annotations.moderation import views as moderation
from annotations.moderation.api import router as moderation_api
from annotations.notifications import views as notifications
from annotations.privacy import views as privacy
from annotations.questions import views as questions
from annotations.questions.api import router as questions_api
from annotations.revisions import views as revisions
from annotations.search import views as search
from annotations.search.api import router as search_api
from seminar.api import api
from seminar.groupsapi import router as groups_api
from seminar.views import accounts, seminars
from seminar.views import groups as group_pages

api.add_router("", annotations_api)
api.add_router("", moderation_api)
api.add_router("", grading_api)
api.add_router("", exports_api)
api.add_router("", search_api)
api.add_router("", live_api)
api.add_router("", questions_api)
api.add_router("", insight_api)
api.add_router("", interchange_api)
api.add_router("", groups_api)


def form_page(view, heading, button):
    """A Django auth form view on our one simple form template."""
    return view.as_view(
        template_name="registration/form_page.html",
        extra_context={"heading": heading, "button": button},
    )


urlpatterns = [
    path("", seminars.home, name="home"),
    path("dashboard/", agenda.dashboard, name="dashboard"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/tokens/", accounts.token_new, name="token_new"),
    path("accounts/tokens/<int:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path(
        "accounts/password_change/",
        form_page(auth_views.PasswordChangeView, "Change your password", "Change password"),
        name="password_change",
    ),
    path(
        "accounts/password_reset/",
        form_page(accounts.PasswordResetView, "Reset your password", "Email me a reset link"),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        form_page(auth_views.PasswordResetConfirmView, "Choose a new password", "Set password"),
        name="password_reset_confirm",
    ),
    path("accounts/erase/", privacy.account_erase_view, name="account_erase"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("join/", seminars.join, name="join"),
    path("join/<str:token>/", seminars.join_invite, name="join_invite"),
    path("seminars/new/", seminars.seminar_create, name="seminar_create"),
    path("s/<slug:slug>/", agenda.seminar_detail, name="seminar"),
    path("s/<slug:slug>/edit/", seminars.seminar_edit, name="seminar_edit"),
    path("s/<slug:slug>/roster/", seminars.roster, name="roster"),
    path("s/<slug:slug>/search/", search.seminar_search, name="seminar_search"),
    path("s/<slug:slug>/roster/codes/", seminars.seminar_regenerate_codes, name="regenerate_codes"),
    path("s/<slug:slug>/roster/<int:pk>/role/", seminars.member_role, name="member_role"),
    path("s/<slug:slug>/roster/<int:pk>/remove/", seminars.member_remove, name="member_remove"),
    path("s/<slug:slug>/groups/", group_pages.groups_page, name="groups"),
    path("s/<slug:slug>/groups/new/", group_pages.group_new, name="group_new"),
    path("s/<slug:slug>/groups/move/", group_pages.group_move, name="group_move"),
    path("s/<slug:slug>/groups/split/", group_pages.group_split, name="group_split"),
    path("s/<slug:slug>/groups/import/", group_pages.group_import, name="group_import"),
    path("s/<slug:slug>/groups/<int:pk>/delete/", group_pages.group_remove, name="group_delete"),
    path("s/<slug:slug>/readings/new/", readings.reading_create, name="reading_create"),
    path("s/<slug:slug>/r/<slug:reading_slug>/", readings.reading_detail, name="reading"),
    path("s/<slug:slug>/r/<slug:reading_slug>/edit/", revisions.reading_edit, name="reading_edit"),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/history/",
        revisions.reading_history,
        name="reading_history",
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/history/<int:number>/restore/",
        revisions.reading_restore_view,
        name="reading_restore",
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/move/", readings.reading_reorder, name="reading_move"
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/comments/",
        readings.comment_post,
        name="comment_post",
    ),
    path("api/", api.urls),
    path("s/<slug:slug>/moderation/", moderation.queue, name="moderation_queue"),
    path("s/<slug:slug>/moderation/bulk/", moderation.bulk, name="moderation_bulk"),
    path("s/<slug:slug>/moderation/audit/", moderation.audit, name="moderation_audit"),
    path("s/<slug:slug>/questions/", questions.open_list, name="open_questions"),
    path("s/<slug:slug>/questions/addressed/", questions.address, name="questions_address"),
    path("s/<slug:slug>/new-term/", carryover.new_term, name="seminar_new_term"),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/import-annotations/",
        interchange.import_annotations,
        name="import_annotations",
    ),
    path("s/<slug:slug>/activity/", activity.activity, name="seminar_activity"),
    path("s/<slug:slug>/activity.csv", activity.activity_csv, name="seminar_activity_csv"),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/insight/",
        insight.before_class,
        name="reading_insight",
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/insight/remind/",
        insight.remind,
        name="insight_remind",
    ),
    path("s/<slug:slug>/grades/", grading.book, name="gradebook"),
    path("s/<slug:slug>/grades/policy/", grading.policy, name="grading_policy"),
    path("s/<slug:slug>/grades/mine/", grading.my_grades, name="my_grades"),
    path("s/<slug:slug>/grades/export.csv", grading_export.export, name="grades_export"),
    path(
        "s/<slug:slug>/grades/student/<int:student_id>/",
        grading.student_grades,
        name="student_grades",
    ),
    path("s/<slug:slug>/grades/score/<int:pk>/", grading.score_post, name="score_post"),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/grades/<int:student_id>/",
        grading.grade_student,
        name="grade_student",
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/grades/release/",
        grading.release,
        name="grades_release",
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/grades/lms/",
        grading.lms_send,
        name="grades_lms_send",
    ),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("accounts/email/", notifications.email_settings, name="email_settings"),
    path(
        "email/unsubscribe/<str:token>/",
        notifications.email_unsubscribe,
        name="email_unsubscribe",
    ),
    path("admin/", admin.site.urls),
    path("lti/", include("seminar.lti.urls")),
    path("s/<slug:slug>/export/", exports.export_page, name="seminar_export"),
    path("s/<slug:slug>/export/start/", exports.export_start, name="seminar_export_start"),
    path(
        "s/<slug:slug>/export/jobs/<int:job_id>/retry/",
        exports.export_retry,
        name="seminar_export_retry",
    ),
    path(
        "s/<slug:slug>/export/jobs/<int:job_id>/download/",
        exports.export_download,
        name="seminar_export_download",
    ),
    path("s/<slug:slug>/export/archive.zip", exports.seminar_archive, name="seminar_archive"),
    path(
        "s/<slug:slug>/export/annotations.<str:fmt>",
        exports.seminar_annotations,
        name="seminar_annotations_export",
    ),
    path("s/<slug:slug>/export/mine/", exports.my_export_page, name="my_export"),
    path(
        "s/<slug:slug>/export/mine/annotations.<str:fmt>",
        exports.my_export,
        name="my_export_file",
    ),
    path(
        "s/<slug:slug>/r/<slug:reading_slug>/export.<str:fmt>",
        exports.reading_export,
        name="reading_export",
    ),
]

# A database out of reach is a 503 "try again", anything else the site's 500 page.
handler500 = "seminar.outage.server_error"
