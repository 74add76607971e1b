"""SIP trunks to carriers (issue 3 item 5): the admin's settings for where outside calls
go and where calls to the company's numbers come from, through the REST API, the CLI and
the Admin Portal; the SIP server reads the stored rows."""
