from django.urls import path

from seminar.lti import views

urlpatterns = [
    path("jwks/", views.jwks, name="lti_jwks"),
    path("login/", views.login, name="lti_login"),
    path("launch/", views.launch, name="lti_launch"),
]
