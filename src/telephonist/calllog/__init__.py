"""The call log (LOG-1, LOG-2): the SIP side writes one record per party of a call
(``records``), users and admins read them through the REST API (``api``) and the portal's
Call Log tab (``pages``), both through ``search``."""
