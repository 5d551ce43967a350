"""A whole LMS for the tests: its own RSA key and JWKS, served over real HTTP from a thread
on 127.0.0.1, signing id_tokens the way a platform does, and recording what the tool sends.

`TestPlatform.launch(client, ...)` runs the OIDC login against Seminar, reads the state and
nonce from the redirect to the platform's auth URL, and posts the signed id_token back.

Its LTI Advantage services (under /<kid>/): the OAuth2 token endpoint, which verifies the
tool's client assertion against the tool's JWKS (given by `trust_tool`, as an LMS is given
the tool's keyset URL) and issues bearer tokens for the scopes asked; Names and Roles
(`members`, paged by `page_size`); AGS line items and their scores (`scores` records what
each received). `fail[path] = 500` makes an endpoint fail, `delay` makes every service slow.
"""

import http.server
import json
import secrets
import threading
import time
import urllib.parse
import uuid

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from seminar.lti import claims as c
from seminar.lti.models import Deployment, Platform

ISSUER = "https://lms.example.edu"
CLIENT_ID = "seminar-client-1"
DEPLOYMENT_ID = "deployment-1"
COURSE = {"id": "course-101", "label": "PEACE 101", "title": "Intervention and Peacebuilding"}


class PlatformServer:
    """One HTTP server for the platform's endpoints: path -> (status, JSON body)."""

    def __init__(self):
        self.routes, self.requests, self.services = {}, [], {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, dict(self.headers), body))
                parts = urllib.parse.urlsplit(self.path)
                route = server.routes.get(parts.path, (404, {"error": "no such route"}))
                prefix = "/" + parts.path.split("/")[1] if parts.path.count("/") > 1 else ""
                service = server.services.get(prefix)
                extra = {}
                if service is not None and parts.path not in server.routes:
                    query = dict(urllib.parse.parse_qsl(parts.query))
                    answer = service(self.command, parts.path, query, self.headers, body)
                    status, content_type, data, extra = answer
                elif callable(route):  # a page: (status, content type, bytes)
                    query = dict(urllib.parse.parse_qsl(parts.query))
                    status, content_type, data = route(query, body)
                else:
                    status, payload = route
                    content_type, data = "application/json", json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the tool gave up waiting (a slow-endpoint test)

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
        server.services[f"/{self.kid}"] = self._serve
        self.tool_keys = None  # the tool's JWKS: trust_tool()
        self.tokens = {}  # access token -> its scopes
        self.assertions = []  # the verified claims of each client assertion
        self.used_jti = set()
        self.members, self.page_size = [], None
        self.scores = []  # (line item path, the score posted)
        self.fail = {}  # path -> status to answer with
        self.delay = 0.0

    def register(self, *, deployment_id=DEPLOYMENT_ID) -> Platform:
        self.platform = Platform.objects.create(
            name="Test LMS",
            issuer=self.issuer,
            client_id=self.client_id,
            auth_login_url=f"{self.server.url}/auth",
            auth_token_url=self.token_url,
            keyset_url=f"{self.server.url}{self.jwks_path}",
        )
        Deployment.objects.create(platform=self.platform, deployment_id=deployment_id)
        return self.platform

    # --- the services

    @property
    def base(self):
        return f"{self.server.url}/{self.kid}"

    @property
    def token_url(self):
        return f"{self.base}/token"

    @property
    def memberships_url(self):
        return f"{self.base}/nrps/memberships"

    def line_item_url(self, name="item-1"):
        return f"{self.base}/lineitems/{name}"

    @property
    def requests(self):
        """(method, path, headers, body) of what this platform's services received."""
        return [r for r in self.server.requests if r[1].startswith(f"/{self.kid}/")]

    def trust_tool(self, jwks: dict):
        """What an LMS is given when the tool is registered: its public keyset."""
        self.tool_keys = KeySet.import_key_set(jwks)

    def _json(self, status, payload, headers=None):
        return status, "application/json", json.dumps(payload).encode(), headers or {}

    def _serve(self, method, path, query, headers, body):
        local = path[len(self.kid) + 1 :]
        if self.delay and local != "/token":
            time.sleep(self.delay)
        if local in self.fail:
            return self._json(self.fail[local], {"error": "the platform is down"})
        if local == "/token" and method == "POST":
            return self._token(dict(urllib.parse.parse_qsl(body.decode())))
        scopes = self.tokens.get((headers.get("Authorization") or "").removeprefix("Bearer "))
        if scopes is None:
            return self._json(401, {"error": "invalid token"})
        if local == "/nrps/memberships" and method == "GET":
            if self._nrps_scope() not in scopes:
                return self._json(403, {"error": "scope"})
            return self._memberships(int(query.get("page") or 1))
        if local.startswith("/lineitems/") and local.endswith("/scores") and method == "POST":
            if self._score_scope() not in scopes:
                return self._json(403, {"error": "scope"})
            if headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                return self._json(415, {"error": "not a score"})
            self.scores.append((local.removesuffix("/scores"), json.loads(body)))
            return self._json(200, {})
        return self._json(404, {"error": "no such service"})

    @staticmethod
    def _nrps_scope():
        return "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

    @staticmethod
    def _score_scope():
        return "https://purl.imsglobal.org/spec/lti-ags/scope/score"

    def _token(self, form):
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return self._json(400, {"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(form.get("client_assertion", ""), self.tool_keys, ["RS256"]).claims
        except (JoseError, ValueError, TypeError):
            return self._json(401, {"error": "invalid_client"})
        good = (
            claims.get("iss") == claims.get("sub") == self.client_id
            and claims.get("aud") in (self.token_url, [self.token_url])
            and claims.get("exp", 0) > time.time()
            and claims.get("jti")
            and claims["jti"] not in self.used_jti
        )
        if not good:
            return self._json(401, {"error": "invalid_client"})
        self.used_jti.add(claims["jti"])
        self.assertions.append(claims)
        token = secrets.token_urlsafe(16)
        self.tokens[token] = set(form.get("scope", "").split())
        return self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def _memberships(self, page):
        size = self.page_size or max(len(self.members), 1)
        chunk = self.members[(page - 1) * size : page * size]
        payload = {
            "id": self.memberships_url,
            "context": {"id": COURSE["id"], "title": COURSE["title"]},
            "members": chunk,
        }
        headers = {}
        if page * size < len(self.members):
            headers["Link"] = f'<{self.memberships_url}?page={page + 1}>; rel="next"'
        return self._json(200, payload, headers)

    def member(self, sub, roles, *, status="Active", name=None, email=None):
        return {
            "status": status,
            "user_id": sub,
            "name": name or sub.replace("-", " ").title(),
            "email": email or f"{sub}@lms.example.edu",
            "roles": roles,
        }

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
