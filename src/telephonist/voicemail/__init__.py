"""Voicemail (VM-1, VM-2, VM-4, VM-5): taking messages (``deposit``) and listening to them
by phone (``menu``), both voice applications on a ``calls.channel.Channel``; the message
store they and the faces share (``messages``, reached during calls through ``mailbox``);
custom greetings (``greetings``); the message light (``waiting``); the public API's
message store (``api``) and the portal's Messages tab (``pages``)."""
