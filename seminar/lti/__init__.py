"""Seminar as an LTI 1.3 tool: an LMS (the "platform") launches it inside a course.

The flow (IMS LTI 1.3 Core, OpenID Connect third-party initiated login):

1. The platform sends the browser to `/lti/login/` with `iss`, `login_hint` and
   `target_link_uri`. We check the issuer is registered, store a one-time state and nonce,
   set the state in a cookie, and send the browser to the platform's auth URL.
2. The platform posts a signed `id_token` (a JWT) and the state back to `/lti/launch/`.
   `launch.py` verifies it: signature against the platform's JWKS, issuer, audience, expiry,
   the nonce and state (once only), the deployment and the required claims.
3. `services.py` applies a verified launch: the account linked to `sub`, the LMS course to a
   seminar, the LMS roles to a membership; the view signs the person in and opens the reading.

JOSE (JWS, JWK, JWT) is `joserfc`'s; the LTI rules on top are ours (docs/lti.md says why).
"""
