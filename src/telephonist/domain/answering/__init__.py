"""The answering-rule engine (CH-1..CH-5, GS-1..GS-4, BLK-1..BLK-6, PRE-1, VM-1, VM-2):
``route(call, settings, now) -> CallPlan``, pure (ARCHITECTURE principle 2).

- ``model``: the inputs, ExtensionSettings and IncomingCall, shaped like the public API.
- ``schedule``: weekly schedules and date ranges in the user's time zone.
- ``numbers``: full and partial number matching (caller ID conditions, block lists).
- ``targets``: what a ring step rings (a device, apps, an extension, an outside number).
- ``plan``: the output, CallPlan and its steps, run by the executor.
- ``blocking``, ``route``: the decision; ``validate``: "Validate rules";
  ``preview``: the plan in plain words for the portal (``wording``: translatable
  sentences); ``errors``: RuleValidationError for unusable rule data.
"""
