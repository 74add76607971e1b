"""Call handling (CH-1..CH-5, GS-1..GS-5, BLK-1..BLK-7, PRE-1, VM-1, VM-2): what the
router reads about an extension, stored, checked, and served to both faces.

- ``settings``: ``load_extension_settings`` (the pure ``ExtensionSettings`` the router
  takes), ``SETTINGS_TABLES`` (commits to these make cached settings stale), incoming call
  information, the account's longest message.
- ``rules``: the user-hours, after-hours and custom rules; ``hours``: user and company hours.
- ``forwarding``: forwarding numbers (the extension's own phones appear by themselves).
- ``blocking``: blocking options, block list and trusted numbers, ``block_number``
  (BLK-7), the account's robocall list.
- ``greetings``: uploads and ``save_custom_greeting``; ``recordings``: stored greetings.
- ``presence``: presence and do-not-disturb.
- ``codec``: the public API's JSON of a rule <-> the domain model (also what is stored).
- ``api``, ``schemas``: the REST routes and their JSON.
"""
