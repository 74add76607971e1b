"""Telephony test harness: real SIP peers (SIPp, baresip) and audio checks."""
