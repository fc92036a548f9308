-- Active parts of every table of a database (Jaeger's ClickHouse storage).
SELECT table, sum(bytes_on_disk), sum(rows) FROM system.parts
WHERE active AND database = {db:String}
GROUP BY table ORDER BY table FORMAT TSV
