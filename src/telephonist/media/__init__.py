"""Media: RTP/RTCP, G.711, RFC 4733 DTMF, prompts and recordings, behind ``MediaEngine``."""
