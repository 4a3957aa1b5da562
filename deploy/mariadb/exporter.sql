-- The `exporter` user mysqld_exporter logs in as, on every MariaDB server (primary and
-- replicas; deploy/prometheus/prometheus.yml). Least privilege for the collectors it runs by
-- default plus --collect.slave_status:
--   PROCESS         SHOW ENGINE INNODB STATUS, information_schema's InnoDB tables
--   BINLOG MONITOR  SHOW BINARY LOGS / SHOW MASTER STATUS (REPLICATION CLIENT before 10.5)
--   SLAVE MONITOR   SHOW SLAVE STATUS, the replica lag the alerts read (10.5.9 on: REPLICATION
--                   CLIENT alone no longer allows it)
--   SELECT on performance_schema only: never on the application's schema, which holds the books.
-- Three connections at most, so a stuck exporter cannot starve the application. The password
-- is generated at deploy time and reaches the exporter only as a .my.cnf the secret store
-- mounts (--config.my-cnf=/run/secrets/mysqld-exporter.cnf):
--   [client]
--   user = exporter
--   password = <generated>
--   host = 127.0.0.1
--   port = 3306
-- Run as root with the password as a variable: mariadb --init-command="SET @pw='...'" < exporter.sql
-- (tests/integration/test_exporters.py creates and drops a throwaway user with these grants).
EXECUTE IMMEDIATE CONCAT(
  'CREATE OR REPLACE USER ''exporter''@''127.0.0.1'' IDENTIFIED BY ', QUOTE(@pw),
  ' WITH MAX_USER_CONNECTIONS 3');
GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'exporter'@'127.0.0.1';
GRANT SELECT ON performance_schema.* TO 'exporter'@'127.0.0.1';
