from django.urls import path

from seminar.lti import deeplinking, views

urlpatterns = [
    path("jwks/", views.jwks, name="lti_jwks"),
    path("login/", views.login, name="lti_login"),
    path("launch/", views.launch, name="lti_launch"),
    path("deep-link/", deeplinking.deep_link, name="lti_deep_link"),
    path("seminars/<slug:slug>/roster-sync/", views.roster_sync, name="lti_roster_sync"),
]
