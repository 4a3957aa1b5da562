"""The Prometheus data source every panel and query reads."""

from __future__ import annotations

DATASOURCE_UID = "investment-pools-prometheus"
"""The Prometheus datasource's uid in provisioning/datasources.yml: the datasource variable's default."""
DS = {"type": "prometheus", "uid": "${datasource}"}
"""Every panel and query reads the data source the dashboard's `datasource` variable names."""
