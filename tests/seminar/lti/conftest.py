import pytest

from seminar.lti.keys import public_keyset, signing_key
from tests.seminar.lti.platform import PlatformServer, TestPlatform


@pytest.fixture(scope="session")
def platform_server():
    server = PlatformServer()
    yield server
    server.close()


@pytest.fixture
def lms(db, platform_server):
    """A registered test platform, with one deployment."""
    platform = TestPlatform(platform_server)
    platform.register()
    signing_key()
    platform.trust_tool(public_keyset())  # as the LMS is given /lti/jwks/
    return platform
