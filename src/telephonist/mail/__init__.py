"""Outgoing e-mail: every message is written to the outbox folder, then sent by SMTP when
an SMTP server is configured."""
