"""The portal's HTTP shell: everything Flask-level in front of and around the Dash pages.

* ``guard``: the one before_request hook that refuses every route without a session.
* ``session``: the login and logout pages (plain Flask + Jinja, ``templates/``) and the
  session's actor; ``next_url``: where login may send the user afterwards.
* ``csrf``: the session's token, checked by the guard; ``cookies``: when cookies are Secure.
* ``headers``: the Content-Security-Policy and the other security headers.
* ``access``: the role check in front of every page layout; ``landing``: what a role that may
  not see a page gets instead.
"""
