"""A person's own data: erasing an account while the discussion keeps its shape.

What a student wrote can be taken away at any time (export/ "Export my posts"). Erasure
(services.account_erase) removes the person: their posts become "a former member"
tombstones in place (threads keep their shape and numbering), their scores, grades,
marks, flags, notifications, tokens and memberships are deleted, and the user row is kept
only as an anonymous, unusable shell, because the audit log and threads refer to it. The
audit log keeps every action, with the person's recorded name replaced (docs/security.md).
Run by the site's admin (`manage.py erase_account`), or by students themselves where the
site allows it (SEMINAR_SELF_ERASURE).
"""
