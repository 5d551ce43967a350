"""What reached whom: helpers over Django's locmem outbox, and a mail server that fails."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


def mail_to(outbox, user):
    """The emails `user` received, oldest first."""
    return [message for message in outbox if message.to == [user.email]]


def html_of(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def everything_in(message):
    """Subject, plain text and HTML of an email: where a leak could be."""
    return "\n".join([message.subject, message.body, html_of(message)])


class FlakyServer(EmailBackend):
    """A mail server that refuses the next `failures` messages, then delivers (to the
    locmem outbox). Set `FlakyServer.failures` in the test."""

    failures = 0

    def send_messages(self, messages):
        if FlakyServer.failures:
            FlakyServer.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


FLAKY = f"{__name__}.FlakyServer"
