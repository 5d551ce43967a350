"""Notifications: what a person is told about posts they may see (a reply, a moderation
decision), stored once and shown in their Notifications page. A notification never shows
more than its recipient may see of the post it is about."""
