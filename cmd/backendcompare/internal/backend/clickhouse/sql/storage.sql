-- Active parts of the tables matched: what the disk holds.
SELECT table, sum(bytes_on_disk), sum(rows) FROM system.parts
WHERE active AND database = {db:String} AND (table = {table:String} OR startsWith(table, {prefix:String}))
GROUP BY table ORDER BY table FORMAT TSV
