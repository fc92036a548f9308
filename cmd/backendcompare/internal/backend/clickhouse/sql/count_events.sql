SELECT count() FROM `{{.Logs}}` WHERE LogAttributes['{{.RunIDKey}}'] = {run:String} FORMAT TSV
