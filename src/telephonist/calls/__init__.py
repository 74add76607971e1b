"""Call control: the SIP edge (transports, edge protection), the registrar and location
service (DEV-2), the B2BUA that owns both legs of every call with its media anchored,
routing (behind the interface the answering-rule engine will replace), SIP trunks, and
the call log writer."""
