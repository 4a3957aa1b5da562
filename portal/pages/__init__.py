"""The pages every role sees: the start page, notifications and "not found". Each role's own
pages are in its folder (portal/admin/pages/, portal/analyst/pages/, ...)."""
