"""The manager's actions: one module per family, each parsing its form into the service's
request, previewing the effect with the rules the write uses, and posting once confirmed.

* ``parsing``: form values to a pydantic request, with errors by field: every family uses it.
* ``action``: what a family provides (parse, preview, post); ``effects``: how previews and
  postings are shown.
* The families: ``valuation``, ``deals`` (subscription and redemption), ``capital_call``,
  ``distribution``, ``reversal``, ``commitment``, ``kyc``, ``pool_create``,
  ``pool_settings`` (over ``pool_terms`` and ``class_terms``, shared with pool_create),
  ``pool_status``, ``share_classes`` (the class picker), ``performance_fee`` (per class, or
  on the pool's own terms).
* ``forms``: what each form asks for; ``picker``: the investor picker, searched on the server.
* ``callbacks``: the one callback behind every form, and the picker's search.
"""
