"""Background jobs: long work (large exports, statements, a full recompute) off the request.

A page declares a job as a Dash background callback (``**job_options(prefix)`` from
portal/components/progress.py); Dash hands it to the manager chosen from configuration.

* ``managers``: the two managers (Celery in production, a thread in the embedded default),
  the one runner they share, and ``create_manager``, which picks one.
* ``job``: the ``Job`` a job body receives (its actor, progress, Cancel).
* ``tickets``: who a job runs for, signed in the request and verified in the job.
* ``store``: where progress, results and cancel flags wait for the browser's polls.
* ``dash_internals``: the one module that imports Dash's private modules.
* ``files``: the files jobs prepare and the ``/downloads/<token>`` route that hands them out.
* ``recompute``: "Recompute analytics", the job the manager overview and the admin system
  page share. A job only one role has (the analyst's large export, the investor's
  statements) is in that role's ``jobs.py``, next to the data it is built from.

What the runner guarantees in both modes:

* **Identity.** The job body runs off the request, so it cannot ask flask-login who is signed
  in. When the job is submitted, inside the request the login guard admitted, the manager
  mints a *ticket*: the session's user id, signed with the server's secret key, stamped with
  the time (:func:`portal.jobs.tickets.issue_ticket`). The request's cookies and headers are
  dropped from what is sent to the job (the session cookie never sits in a broker queue). In
  the job, the ticket is verified and the user re-read through the auth service
  (:func:`portal.jobs.tickets.actor_from_ticket`): a missing, forged or expired ticket, or a
  disabled user, gives ``Job.actor is None``, and every job answers "not permitted" for that.
  Nothing the browser sends names the user.
* **Cancellation is cooperative.** Cancel sets a flag in the store; the job sees it the next
  time it reports progress (``Job.report``/``Job.check``) and stops with ``JobCancelled``,
  running its own cleanup (a partial file is deleted); nothing is stored as its result. A
  Celery job not started yet is also revoked; one that starts anyway stops at once.
* **One key per job.** Dash derives a job's key from the callback's inputs, so two users
  pressing the same button with the same inputs would share a result; here every job gets
  a key of its own.
* Uncollected results, progress and flags expire: after ``JOB_STATE_TTL_SECONDS`` in
  memory, with Celery's ``result_expires`` in Redis.
"""
