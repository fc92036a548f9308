SELECT count() FROM system.tables WHERE database = {db:String} AND name = {table:String} FORMAT TSV
