"""The names of LTI 1.3 claims and roles (IMS LTI 1.3 Core, Deep Linking 2.0, NRPS 2.0,
AGS 2.0), and the mapping of LMS roles to Seminar's."""

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = LIS + "membership#Instructor"
LEARNER = LIS + "membership#Learner"
ADMINISTRATOR = LIS + "membership#Administrator"
TEACHING_ASSISTANT = LIS + "membership/Instructor#TeachingAssistant"
INSTITUTION_ADMINISTRATOR = LIS + "institution/person#Administrator"
SYSTEM_ADMINISTRATOR = LIS + "system/person#Administrator"

_INSTRUCTOR_ROLES = {
    INSTRUCTOR,
    ADMINISTRATOR,
    INSTITUTION_ADMINISTRATOR,
    SYSTEM_ADMINISTRATOR,
    "Instructor",  # the simple names LTI 1.3 still allows for context roles
    "Administrator",
}
_LEARNER_ROLES = {LEARNER, "Learner"}


def seminar_role(roles: list[str]) -> str | None:
    """Seminar's role for a list of LMS role URIs: "instructor", "ta", "student" or None.

    A teaching assistant is a sub-role of Instructor in the LIS vocabulary
    (membership/Instructor#TeachingAssistant); platforms send it with or without the
    principal Instructor role, so it is looked for first."""
    roles = set(roles)
    if any(r.endswith("#TeachingAssistant") or r == "TeachingAssistant" for r in roles):
        return "ta"
    if roles & _INSTRUCTOR_ROLES:
        return "instructor"
    if roles & _LEARNER_ROLES:
        return "student"
    return None
