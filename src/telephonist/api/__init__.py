"""The REST edge: the public API's conventions (errors, paging, raw query strings, bearer
tokens, ``~`` ids) shared by every feature's routes."""
