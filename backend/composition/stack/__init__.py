"""The production shape on one machine: `python app.py stack up|status|down`.

Every part of the deployed system as its own process on 127.0.0.1 (layout.py says which,
with which command, ports.py on which port, rabbitmq.py how the broker's node is set),
started in dependency order, watched by pid and port, and stopped in reverse
(processes.py); the database pair's replication and the first migration and demo data are
set up once (bootstrap.py)."""
