"""A whole LMS for the tests: its own RSA key and JWKS, served over real HTTP from a thread
on 127.0.0.1, signing id_tokens the way a platform does, and recording what the tool sends.

`TestPlatform.launch(client, ...)` runs the OIDC login against Seminar, reads the state and
nonce from the redirect to the platform's auth URL, and posts the signed id_token back.
"""

import http.server
import json
import threading
import time
import urllib.parse
import uuid

from joserfc import jwt
from joserfc.jwk import RSAKey

from seminar.lti import claims as c
from seminar.lti.models import Deployment, Platform

ISSUER = "https://lms.example.edu"
CLIENT_ID = "seminar-client-1"
DEPLOYMENT_ID = "deployment-1"
COURSE = {"id": "course-101", "label": "PEACE 101", "title": "Intervention and Peacebuilding"}


class PlatformServer:
    """One HTTP server for the platform's endpoints: path -> (status, JSON body)."""

    def __init__(self):
        self.routes, self.requests = {}, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, dict(self.headers), body))
                parts = urllib.parse.urlsplit(self.path)
                route = server.routes.get(parts.path, (404, {"error": "no such route"}))
                if callable(route):  # a page: (status, content type, bytes)
                    query = dict(urllib.parse.parse_qsl(parts.query))
                    status, content_type, data = route(query, body)
                else:
                    status, payload = route
                    content_type, data = "application/json", json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class TestPlatform:
    __test__ = False  # not a test class, for pytest

    def __init__(self, server: PlatformServer, *, issuer=ISSUER, client_id=CLIENT_ID):
        self.server, self.issuer, self.client_id = server, issuer, client_id
        self.kid = uuid.uuid4().hex[:12]
        self.key = RSAKey.generate_key(2048, parameters={"kid": self.kid, "alg": "RS256"})
        self.jwks_path = f"/{self.kid}/jwks"
        server.routes[self.jwks_path] = (200, {"keys": [self.key.as_dict(private=False)]})

    def register(self, *, deployment_id=DEPLOYMENT_ID) -> Platform:
        self.platform = Platform.objects.create(
            name="Test LMS",
            issuer=self.issuer,
            client_id=self.client_id,
            auth_login_url=f"{self.server.url}/auth",
            auth_token_url=f"{self.server.url}/token",
            keyset_url=f"{self.server.url}{self.jwks_path}",
        )
        Deployment.objects.create(platform=self.platform, deployment_id=deployment_id)
        return self.platform

    # --- the messages

    def claims(self, *, sub, roles, nonce, resource_link="link-1", **extra):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": extra.pop("name", "Ada Lovelace"),
            "email": extra.pop("email", f"{sub}@lms.example.edu"),
            c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST,
            c.VERSION: "1.3.0",
            c.DEPLOYMENT_ID: DEPLOYMENT_ID,
            c.TARGET_LINK_URI: "http://testserver/lti/launch/",
            c.ROLES: roles,
            c.CONTEXT: dict(COURSE),
            c.LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": ISSUER + "/back"},
        }
        if resource_link:
            claims[c.RESOURCE_LINK] = {"id": resource_link, "title": "Week 1 reading"}
        claims.update(extra)
        return claims

    def sign(self, claims, *, key=None, header=None):
        key = key or self.key
        header = header or {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        return jwt.encode(header, claims, key, algorithms=[header["alg"]])

    def login(self, client, *, target="http://testserver/lti/launch/", method="get", **params):
        query = {"iss": self.issuer, "login_hint": "hint-1", "target_link_uri": target}
        query.update(params)
        response = getattr(client, method)("/lti/login/", query)
        return response

    def auth_request(self, login_response) -> dict:
        """The parameters of the tool's redirect to our auth URL."""
        assert login_response.status_code == 302, login_response.content
        location = urllib.parse.urlsplit(login_response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.server.url + "/auth"
        return dict(urllib.parse.parse_qsl(location.query))

    def launch(self, client, *, sub="student-1", roles=None, change=None, drop=(), **extra):
        """Login, then post a signed id_token: the Response of the launch."""
        auth = self.auth_request(self.login(client))
        claims = self.claims(
            sub=sub, roles=roles if roles is not None else [c.LEARNER], nonce=auth["nonce"], **extra
        )
        claims.update(change or {})
        for name in drop:
            claims.pop(name, None)
        return client.post("/lti/launch/", {"id_token": self.sign(claims), "state": auth["state"]})
